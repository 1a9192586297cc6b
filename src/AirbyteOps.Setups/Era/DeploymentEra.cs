using System.Globalization;

namespace AirbyteOps.Setups.Era;

/// <summary>The verdict on a deployment: its era and the version it was judged by.</summary>
public sealed record EraVerdict(AirbyteEra Era, string? AirbyteVersion, string Evidence);

/// <summary>
/// Says which era a running deployment is (files 0.7 – 0.27.3, files and database 0.27.4 – 0.29, database 0.30 – 0.63),
/// and refuses, with one line naming what was found and what to do, the three cases a setup cannot capture: Airbyte
/// 0.64 or later, secrets in an external secret manager, a database outside the compose project.
/// </summary>
public static class DeploymentEra
{
    /// <summary>The default secret persistence values: secrets in the database's secrets table.</summary>
    public static readonly IReadOnlySet<string> DatabaseSecretPersistence = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "", "TESTING_CONFIG_DB_TABLE" };

    public static EraVerdict Classify(DeploymentFacts facts)
    {
        var version = Parse(facts.AirbyteVersion);
        if (version is { } v && (v.Major > 0 || v.Minor >= 64))
            throw new DeploymentNotSupportedException(DeploymentNotSupportedReason.Airbyte064OrLater,
                $"{facts.ServerContainer} runs Airbyte {facts.AirbyteVersion}: 0.64 and later have no docker-compose deployment (Kubernetes only, installed with abctl or Helm), which AirbyteOps does not back up; back up that deployment's Postgres database with its own tools, or use these targets on a 0.63 or older compose deployment.");

        var era = version switch
        {
            { } x when (x.Major, x.Minor, x.Patch).CompareTo((0, 27, 4)) < 0 => AirbyteEra.Files,
            { } x when x.Minor < 30 => AirbyteEra.FilesAndDatabase,
            { } => AirbyteEra.Database,
            null => FromDatabase(facts.Database),
        };
        var evidence = version is null
            ? $"no readable version on {facts.ServerContainer}; judged by what its database holds"
            : $"Airbyte {facts.AirbyteVersion} on {facts.ServerContainer}";

        if (era != AirbyteEra.Files) CheckDatabaseIsInside(facts);
        if (era == AirbyteEra.Database)
        {
            CheckSecretsAreInTheDatabase(facts);
            var db = facts.Database;
            if (db is not null && (!db.HasConfigsFlywayHistory || !(db.HasActorTable || db.HasAirbyteConfigsTable)))
                throw new DeploymentNotSupportedException(DeploymentNotSupportedReason.Inconsistent,
                    $"{evidence} keeps its configuration in the database, but that database has {(db.HasConfigsFlywayHistory ? "a Flyway history" : "no airbyte_configs_migrations table")} and {(db.HasActorTable ? "an" : "no")} actor table: it is not this Airbyte's database (or its bootloader never ran); start the deployment once (./build.sh ComposeUp) and check DATABASE_URL.");
            if (db is not null) evidence += $"; Flyway configs {db.NewestConfigsMigration ?? "?"}, jobs {db.NewestJobsMigration ?? "?"}";
        }
        return new EraVerdict(era, facts.AirbyteVersion, evidence);
    }

    private static AirbyteEra FromDatabase(DatabaseFacts? db) => db switch
    {
        { HasConfigsFlywayHistory: true, HasActorTable: true } => AirbyteEra.Database,
        { HasAirbyteConfigsTable: true } => AirbyteEra.FilesAndDatabase,
        _ => AirbyteEra.Files,
    };

    private static void CheckDatabaseIsInside(DeploymentFacts facts)
    {
        foreach (var (variable, host) in DatabaseHosts(facts.ServerEnvironment))
            if (!facts.ComposeHosts.Contains(host, StringComparer.OrdinalIgnoreCase))
                throw new DeploymentNotSupportedException(DeploymentNotSupportedReason.ExternalDatabase,
                    $"{variable} on {facts.ServerContainer} points at '{host}', a database outside the compose project (its hosts: {string.Join(", ", facts.ComposeHosts.Order(StringComparer.Ordinal))}); AirbyteOps backs up only the project's own airbyte-db: back that database up with its own tools (pg_dump against {host}), or move it into the compose project.");
    }

    /// <summary>The database hosts the server is configured with: DATABASE_URL's, DATABASE_HOST, CONFIG_DATABASE_URL's.</summary>
    public static IEnumerable<(string Variable, string Host)> DatabaseHosts(IReadOnlyDictionary<string, string> environment)
    {
        foreach (var variable in new[] { "DATABASE_URL", "CONFIG_DATABASE_URL" })
            if (environment.TryGetValue(variable, out var url) && HostOfJdbcUrl(url) is { } host) yield return (variable, host);
        if (environment.TryGetValue("DATABASE_HOST", out var plain) && !string.IsNullOrWhiteSpace(plain)) yield return ("DATABASE_HOST", plain.Trim());
    }

    /// <summary>jdbc:postgresql://host:port/db → host; null when empty or not a URL.</summary>
    public static string? HostOfJdbcUrl(string? url)
    {
        if (string.IsNullOrWhiteSpace(url)) return null;
        var text = url.Trim();
        if (text.StartsWith("jdbc:", StringComparison.OrdinalIgnoreCase)) text = text[5..];
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Host.Length > 0 ? uri.Host : null;
    }

    private static void CheckSecretsAreInTheDatabase(DeploymentFacts facts)
    {
        var persistence = facts.ServerEnvironment.TryGetValue("SECRET_PERSISTENCE", out var p) ? p.Trim() : "";
        if (!DatabaseSecretPersistence.Contains(persistence))
            throw new DeploymentNotSupportedException(DeploymentNotSupportedReason.ExternalSecretManager,
                $"SECRET_PERSISTENCE={persistence} on {facts.ServerContainer}: the secrets live in an external secret manager and the database holds only their coordinates, so a setup could not carry them; back up the secret manager with its own tools, or move the secrets into the database (SECRET_PERSISTENCE empty) before exporting.");
        if (facts.Database is { SecretCoordinates: > 0 } db && db.SecretCoordinatesWithPayload < db.SecretCoordinates)
            throw new DeploymentNotSupportedException(DeploymentNotSupportedReason.ExternalSecretManager,
                $"The actors' configurations reference {db.SecretCoordinates} secret coordinate(s), of which {db.SecretCoordinates - db.SecretCoordinatesWithPayload} have no row in {(db.HasSecretsTable ? "the secrets table" : "a secrets table (there is none)")}: the secrets are kept elsewhere (an external secret manager); back that up with its own tools, or re-enter the secrets with SECRET_PERSISTENCE empty before exporting.");
    }

    /// <summary>"0.50.33", "v0.63.8", "0.29.22-alpha", "1.0.0" → (major, minor, patch); null for "dev" or nothing.</summary>
    public static (int Major, int Minor, int Patch)? Parse(string? version)
    {
        if (string.IsNullOrWhiteSpace(version)) return null;
        var parts = version.Trim().TrimStart('v', 'V').Split('-', '+')[0].Split('.');
        if (parts.Length < 2) return null;
        int Part(int i) => i < parts.Length && int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1;
        var (major, minor, patch) = (Part(0), Part(1), parts.Length > 2 ? Part(2) : 0);
        return major < 0 || minor < 0 || patch < 0 ? null : (major, minor, patch);
    }
}
