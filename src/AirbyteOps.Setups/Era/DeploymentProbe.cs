using AirbyteOps.Docker;

namespace AirbyteOps.Setups.Era;

/// <summary>Which deployment to probe: the server container, the database container and its database, the compose project's hosts.</summary>
public sealed record ProbeOptions(string ServerContainer, string DatabaseContainer, IReadOnlyCollection<string> ComposeHosts, string Database = "airbyte");

/// <summary>
/// Reads what <see cref="DeploymentEra"/> judges from a running deployment: the server's AIRBYTE_VERSION and environment
/// (inspect), and what the compose project's database holds (psql in the airbyte-db container, as DATABASE_USER, read
/// only). Writes nothing. Not wired into ExportSetup/RestoreSetup yet.
/// </summary>
public sealed class DeploymentProbe(DockerEngine engine)
{
    public async Task<DeploymentFacts> ReadAsync(ProbeOptions options, CancellationToken ct = default)
    {
        var environment = await engine.ContainerEnvironmentAsync(options.ServerContainer, ct).ConfigureAwait(false)
            ?? throw new SetupException($"There is no container '{options.ServerContainer}' to ask which Airbyte this is; start the deployment (./build.sh ComposeUp) or pass --server-container.");
        var server = await engine.Containers.InspectAsync(options.ServerContainer, ct).ConfigureAwait(false);
        var user = environment.TryGetValue("DATABASE_USER", out var u) && u.Length > 0 ? u : "docker";
        return new DeploymentFacts
        {
            ServerContainer = options.ServerContainer,
            AirbyteVersion = AirbyteVersion.FromServer(environment, server.Image),
            ServerEnvironment = environment,
            ComposeHosts = options.ComposeHosts,
            Database = await ReadDatabaseAsync(options.DatabaseContainer, user, options.Database, ct).ConfigureAwait(false),
        };
    }

    public async Task<EraVerdict> ClassifyAsync(ProbeOptions options, CancellationToken ct = default) =>
        DeploymentEra.Classify(await ReadAsync(options, ct).ConfigureAwait(false));

    private async Task<DatabaseFacts?> ReadDatabaseAsync(string container, string user, string database, CancellationToken ct)
    {
        if (await engine.Containers.FindAsync(container, ct).ConfigureAwait(false) is not { IsRunning: true }) return null;
        var tables = await QueryAsync(container, user, database,
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' " +
            "AND c.relname IN ('airbyte_configs_migrations', 'airbyte_jobs_migrations', 'actor', 'airbyte_configs', 'secrets')", ct).ConfigureAwait(false);
        if (tables is null) return null;
        var facts = new DatabaseFacts
        {
            HasConfigsFlywayHistory = tables.Contains("airbyte_configs_migrations"),
            HasJobsFlywayHistory = tables.Contains("airbyte_jobs_migrations"),
            HasActorTable = tables.Contains("actor"),
            HasAirbyteConfigsTable = tables.Contains("airbyte_configs"),
            HasSecretsTable = tables.Contains("secrets"),
        };
        if (facts.HasConfigsFlywayHistory) facts = facts with { NewestConfigsMigration = await NewestAsync(container, user, database, "airbyte_configs_migrations", ct).ConfigureAwait(false) };
        if (facts.HasJobsFlywayHistory) facts = facts with { NewestJobsMigration = await NewestAsync(container, user, database, "airbyte_jobs_migrations", ct).ConfigureAwait(false) };
        if (facts.HasActorTable)
        {
            const string coordinates = "SELECT c #>> '{}' AS coordinate FROM actor, jsonb_path_query(configuration, 'strict $.**.\"_secret\"') c";
            var counts = await QueryAsync(container, user, database, facts.HasSecretsTable
                ? $"SELECT COUNT(*) || ' ' || COUNT(s.coordinate) FROM ({coordinates}) r LEFT JOIN secrets s ON s.coordinate = r.coordinate"
                : $"SELECT COUNT(*) || ' 0' FROM ({coordinates}) r", ct).ConfigureAwait(false);
            var parts = counts?.FirstOrDefault()?.Split(' ') ?? ["0", "0"];
            facts = facts with { SecretCoordinates = long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), SecretCoordinatesWithPayload = long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) };
        }
        return facts;
    }

    /// <summary>The highest successful version of a Flyway history, compared part by part as numbers.</summary>
    private async Task<string?> NewestAsync(string container, string user, string database, string table, CancellationToken ct) =>
        (await QueryAsync(container, user, database,
            $"SELECT version FROM {table} WHERE success AND version IS NOT NULL ORDER BY string_to_array(version, '.')::bigint[] DESC LIMIT 1", ct).ConfigureAwait(false))?.FirstOrDefault();

    /// <summary>One psql query in the database container (tuples only, unaligned); null when the database does not answer.</summary>
    private async Task<IReadOnlyList<string>?> QueryAsync(string container, string user, string database, string sql, CancellationToken ct) =>
        (await new Database.PostgresShell(engine, container, user).TryQueryAsync(database, sql, ct).ConfigureAwait(false))
            ?.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
