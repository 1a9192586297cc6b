using AirbyteOps.Docker;
using AirbyteOps.Setups.Era;

namespace AirbyteOps.Setups.DbEra;

/// <summary>
/// Which path ExportSetup and RestoreSetup take, from the deployment's era (<see cref="DeploymentProbe"/> and
/// <see cref="DeploymentEra"/>): files (0.7 – 0.27.3) the configuration tree and the jobs database, database (0.30 – 0.63)
/// the database-era path; 0.27.4 – 0.29, 0.64+, an external secret manager or database are refused in one line before
/// anything is written. A version that already says "files" is not probed (nothing more is read from the deployment).
/// </summary>
internal static class EraGate
{
    public sealed record Judgement(AirbyteEra Era, DeploymentFacts? Facts, string Evidence);

    public static async Task<Judgement> JudgeAsync(DockerEngine engine, string serverContainer, string? databaseContainer,
        IReadOnlyCollection<string>? composeHosts, string? version, string action, CancellationToken ct)
    {
        if (DeploymentEra.Parse(version) is { } v && (v.Major, v.Minor, v.Patch).CompareTo((0, 27, 4)) < 0)
            return new Judgement(AirbyteEra.Files, null, $"Airbyte {version}");
        if (await engine.Containers.FindAsync(serverContainer, ct).ConfigureAwait(false) is null)
        {
            if (version is null) return new Judgement(AirbyteEra.Files, null, "no server container to ask");
            throw new SetupException($"Refusing to {action}: Airbyte {version} keeps its configuration in the database, and there is no container '{serverContainer}' to read the deployment from; start it (./build.sh ComposeUp --compose-file ...) or pass --server-container. Nothing was written.");
        }
        if (string.IsNullOrEmpty(databaseContainer))
        {
            if (version is null) return new Judgement(AirbyteEra.Files, null, "no database container given");
            if (AirbyteVersion.IsDatabaseEra(version))
                throw new SetupException($"Refusing to {action}: Airbyte {version} keeps its configuration in the database, and no database container was given (--db-container is empty); pass --db-container airbyte-db. Nothing was written.");
        }
        var facts = await new DeploymentProbe(engine).ReadAsync(new ProbeOptions(serverContainer, databaseContainer ?? "", composeHosts ?? []), ct).ConfigureAwait(false);
        if (version is not null) facts = facts with { AirbyteVersion = version };
        // Without the compose project's hosts, the database hosts the server names are taken as inside it (not checked).
        if (composeHosts is null) facts = facts with { ComposeHosts = DeploymentEra.DatabaseHosts(facts.ServerEnvironment).Select(h => h.Host).ToList() };
        var verdict = DeploymentEra.Classify(facts);
        if (verdict.Era == AirbyteEra.FilesAndDatabase)
            throw new SetupException(
                $"Refusing to {action}: {verdict.Evidence} is Airbyte 0.27.4 – 0.29, which keeps its configuration both in files and in the database (airbyte_configs) while it moves from one to the other; AirbyteOps handles 0.7 – 0.27.3 (files) and 0.30 – 0.63 (database): upgrade to 0.30 or later (its bootloader finishes the move) and run {action} then, or use Airbyte's own export (Settings > Configuration). Nothing was written.");
        return new Judgement(verdict.Era, facts, verdict.Evidence);
    }

    /// <summary>The newest applied version of a Flyway history table ("0.50.24.006"), compared part by part as numbers; null when there is none.</summary>
    public static async Task<string?> NewestMigrationAsync(PostgresShell shell, string database, string table, CancellationToken ct)
    {
        var exists = await shell.QueryAsync(database, $"SELECT to_regclass({PostgresShell.Literal("public." + table)}) IS NOT NULL", ct).ConfigureAwait(false);
        if (exists.Trim() != "t") return null;
        var text = await shell.QueryAsync(database,
            $"SELECT version FROM {PostgresShell.Identifier(table)} WHERE success AND version IS NOT NULL ORDER BY string_to_array(version, '.')::bigint[] DESC LIMIT 1", ct).ConfigureAwait(false);
        return text.Trim() is { Length: > 0 } v ? v : null;
    }

    /// <summary>Compares dotted versions ("0.50.24.006" vs "0.50.4.001", "0.50.33" vs "0.50.33-alpha") part by part as numbers.</summary>
    public static int CompareVersions(string a, string b)
    {
        static long[] Parts(string v) => v.Trim().TrimStart('v', 'V').Split('-', '+')[0].Split('.')
            .Select(p => long.TryParse(p, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 0).ToArray();
        var (x, y) = (Parts(a), Parts(b));
        for (var i = 0; i < Math.Max(x.Length, y.Length); i++)
        {
            var c = (i < x.Length ? x[i] : 0).CompareTo(i < y.Length ? y[i] : 0);
            if (c != 0) return c;
        }
        return 0;
    }
}
