namespace AirbyteOps.Setups.Manifest;

/// <summary>
/// The database part of a setup (setup.json "database"): a plain pg_dump of Airbyte's jobs database at
/// <see cref="File"/> (relative to the setup), with its secrets replaced by placeholders (<see cref="Secrets"/>; the
/// values are in the sidecar under the same file name), the Postgres server it came from, and the rows per table.
/// </summary>
public sealed record DatabaseManifest
{
    public const string Folder = "database";

    public required string File { get; init; }
    /// <summary>The database's name in the deployment it was dumped from (DATABASE_DB, e.g. "airbyte").</summary>
    public required string Name { get; init; }
    /// <summary>The database container it was dumped from.</summary>
    public required string Container { get; init; }
    public string Format { get; init; } = "pg_dump-plain";
    public required string PostgresVersion { get; init; }
    public required int PostgresMajor { get; init; }
    /// <summary>Size and SHA-256 of the file as stored in the setup (placeholders in).</summary>
    public required long Size { get; init; }
    public required string Sha256 { get; init; }
    /// <summary>
    /// SHA-256 of the dump as pg_dump wrote it (secrets in) without its <c>\restrict</c>/<c>\unrestrict</c> lines, whose key
    /// pg_dump draws at random each time: the same database gives the same value ("up to date", "already identical").
    /// </summary>
    public string? Content { get; init; }
    public required IReadOnlyDictionary<string, long> Rows { get; init; }
    public IReadOnlyList<SecretReference> Secrets { get; init; } = [];
    /// <summary>Database era: the newest applied Flyway migration of the configs database (airbyte_configs_migrations), e.g. "0.50.24.006".</summary>
    public string? ConfigsMigration { get; init; }
    /// <summary>Database era: the newest applied Flyway migration of the jobs database (airbyte_jobs_migrations).</summary>
    public string? JobsMigration { get; init; }

    public static string FileFor(string database) =>
        $"{Folder}/{new string(database.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray())}.sql";

    /// <summary>Rows of the jobs and attempts tables, for messages ("12 jobs, 12 attempts").</summary>
    public string Summary() =>
        string.Join(", ", Rows.Where(kv => kv.Key.EndsWith(".jobs", StringComparison.Ordinal) || kv.Key.EndsWith(".attempts", StringComparison.Ordinal))
            .OrderByDescending(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Value} {kv.Key[(kv.Key.LastIndexOf('.') + 1)..]}"))
        is { Length: > 0 } s ? s : $"{Rows.Count} table(s)";
}
