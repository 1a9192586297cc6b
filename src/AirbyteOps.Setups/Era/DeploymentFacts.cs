namespace AirbyteOps.Setups.Era;

/// <summary>What a running deployment says about itself: the server's version and environment, and its database.</summary>
public sealed record DeploymentFacts
{
    /// <summary>The server container's name, for messages.</summary>
    public required string ServerContainer { get; init; }

    /// <summary>AIRBYTE_VERSION of the server (or its image tag); null when neither says.</summary>
    public string? AirbyteVersion { get; init; }

    /// <summary>The server's environment (DATABASE_URL, DATABASE_HOST, CONFIG_DATABASE_URL, SECRET_PERSISTENCE, ...).</summary>
    public IReadOnlyDictionary<string, string> ServerEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>The host names that are inside the compose project: its service names and container names.</summary>
    public IReadOnlyCollection<string> ComposeHosts { get; init; } = [];

    /// <summary>What the compose project's database holds; null when it has none or it does not answer.</summary>
    public DatabaseFacts? Database { get; init; }
}

/// <summary>What the database of the compose project (airbyte-db, database `airbyte`) holds.</summary>
public sealed record DatabaseFacts
{
    /// <summary>airbyte_configs_migrations: the configs database's Flyway history (0.30 on).</summary>
    public bool HasConfigsFlywayHistory { get; init; }
    public bool HasJobsFlywayHistory { get; init; }
    public string? NewestConfigsMigration { get; init; }
    public string? NewestJobsMigration { get; init; }

    /// <summary>The table `actor` (sources and destinations as rows, 0.32.8 on).</summary>
    public bool HasActorTable { get; init; }

    /// <summary>The table `airbyte_configs` (configuration documents in the database, 0.27.4 – 0.35.2).</summary>
    public bool HasAirbyteConfigsTable { get; init; }

    /// <summary>The runtime table `secrets(coordinate, payload)` of the default secret persistence.</summary>
    public bool HasSecretsTable { get; init; }

    /// <summary>How many {"_secret": coordinate} references the actors' configurations hold.</summary>
    public long SecretCoordinates { get; init; }

    /// <summary>How many of those coordinates have a row in the secrets table.</summary>
    public long SecretCoordinatesWithPayload { get; init; }
}
