using System.Globalization;
using System.Text;
using AirbyteOps.Docker;

namespace AirbyteOps.Setups.Database;

/// <summary>
/// Postgres tools run inside the database container with <c>docker exec</c> and argument lists (never a shell line):
/// psql, pg_dump, pg_isready. They connect over the container's local socket, which the official image (and its
/// stand-in) trusts, so no password is needed, passed or printed.
/// </summary>
internal sealed class PostgresShell(DockerEngine engine, string container, string user)
{
    public string Container => container;
    public string User => user;

    /// <summary>Runs SQL in <paramref name="database"/>; returns psql's unaligned, tuples-only output.</summary>
    public async Task<string> QueryAsync(string database, string sql, CancellationToken ct)
    {
        var (result, text) = await RunQueryAsync(database, sql, ct).ConfigureAwait(false);
        return result.Succeeded ? text
            : throw new DockerOpsException($"psql in container '{container}' (database '{database}') failed (exit {result.ExitCode}: {result.LastError}).");
    }

    /// <summary>
    /// As <see cref="QueryAsync"/>, but null when psql fails (the database does not answer yet, or refuses the query: a
    /// table that is not there); an engine that does not answer still throws.
    /// </summary>
    public async Task<string?> TryQueryAsync(string database, string sql, CancellationToken ct)
    {
        var (result, text) = await RunQueryAsync(database, sql, ct).ConfigureAwait(false);
        return result.Succeeded ? text : null;
    }

    /// <summary>
    /// Several commands in one psql session, one exec: each is sent on its own (psql's repeated <c>-c</c>), in order, and the
    /// first that fails stops the rest (ON_ERROR_STOP). Each runs in its own transaction unless it says BEGIN ... COMMIT,
    /// so a DROP DATABASE may be one of them. Returns the output of all of them.
    /// </summary>
    public async Task<string> QueryAsync(string database, IReadOnlyList<string> commands, CancellationToken ct)
    {
        var (result, text) = await RunQueryAsync(database, commands, ct).ConfigureAwait(false);
        return result.Succeeded ? text
            : throw new DockerOpsException($"psql in container '{container}' (database '{database}') failed (exit {result.ExitCode}: {result.LastError}).");
    }

    private Task<(ExecResult Result, string Text)> RunQueryAsync(string database, string sql, CancellationToken ct) =>
        RunQueryAsync(database, [sql], ct);

    private async Task<(ExecResult Result, string Text)> RunQueryAsync(string database, IReadOnlyList<string> commands, CancellationToken ct)
    {
        using var output = new MemoryStream();
        List<string> command = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-U", user, "-d", database, "-tA"];
        foreach (var sql in commands)
        {
            command.Add("-c");
            command.Add(sql);
        }
        var result = await engine.ExecAsync(container, command, stdout: output, ct: ct).ConfigureAwait(false);
        return (result, Encoding.UTF8.GetString(output.ToArray()).TrimEnd('\n'));
    }

    /// <summary>
    /// pg_dump of <paramref name="database"/> as plain SQL (no owners, no grants: it restores under any user) into
    /// <paramref name="output"/>; with <paramref name="snapshot"/>, the database as that exported snapshot sees it (see <see cref="SnapshotSession"/>).
    /// </summary>
    public async Task DumpAsync(string database, Stream output, CancellationToken ct, string? snapshot = null)
    {
        List<string> command = ["pg_dump", "-U", user, "-d", database, "--format=plain", "--no-owner", "--no-privileges", "--encoding=UTF8"];
        if (snapshot is not null) command.Add("--snapshot=" + snapshot);
        var result = await engine.ExecAsync(container, command, stdout: output, ct: ct).ConfigureAwait(false);
        if (!result.Succeeded)
            throw new DockerOpsException($"pg_dump of database '{database}' in container '{container}' failed (exit {result.ExitCode}: {result.LastError}).");
    }

    /// <summary>Loads a plain SQL dump into <paramref name="database"/> in one transaction: all of it or nothing.</summary>
    public async Task LoadAsync(string database, Stream dump, CancellationToken ct)
    {
        var result = await engine.ExecAsync(container, ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-U", user, "-d", database, "-f", "-"], stdin: dump, stdout: Stream.Null, ct: ct).ConfigureAwait(false);
        if (!result.Succeeded)
            throw new DockerOpsException($"Loading the dump into database '{database}' in container '{container}' failed (exit {result.ExitCode}: {result.LastError}).");
    }

    public async Task<bool> ReadyAsync(CancellationToken ct)
    {
        var result = await engine.ExecAsync(container, ["pg_isready", "-U", user], stdout: Stream.Null, ct: ct).ConfigureAwait(false);
        return result.Succeeded;
    }

    /// <summary>The server's version ("15.10") and major (15).</summary>
    public async Task<(string Version, int Major)> ServerVersionAsync(CancellationToken ct)
    {
        var text = await QueryAsync(MaintenanceDatabase, VersionQuery, ct).ConfigureAwait(false);
        return ParseVersion(text);
    }

    private const string VersionQuery = "SELECT current_setting('server_version') || '|' || current_setting('server_version_num')";

    private (string Version, int Major) ParseVersion(string text)
    {
        var parts = text.Trim().Split('|');
        if (parts.Length != 2 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            throw new DockerOpsException($"Container '{container}' did not tell its Postgres version (got '{text}').");
        return (parts[0].Split(' ')[0], number / 10000);
    }

    /// <summary>As <see cref="ServerVersionAsync"/>, but null when psql cannot ask yet (the server is starting).</summary>
    public async Task<(string Version, int Major)?> TryServerVersionAsync(CancellationToken ct)
    {
        var text = await TryQueryAsync(MaintenanceDatabase, VersionQuery, ct).ConfigureAwait(false);
        return text is null ? null : ParseVersion(text);
    }

    public async Task<IReadOnlyList<string>> DatabasesAsync(CancellationToken ct)
    {
        var text = await QueryAsync(MaintenanceDatabase, "SELECT datname FROM pg_database ORDER BY datname", ct).ConfigureAwait(false);
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>Rows per table ("public.jobs" → 12) of the given tables in <paramref name="database"/>.</summary>
    public async Task<IReadOnlyDictionary<string, long>> CountRowsAsync(string database, IEnumerable<string> tables, CancellationToken ct)
    {
        var list = tables.ToList();
        if (list.Count == 0) return new Dictionary<string, long>();
        var sql = string.Join(" UNION ALL ", list.Select(t => $"SELECT {Literal(t)}, count(*) FROM {QualifiedName(t)}"));
        var text = await QueryAsync(database, sql, ct).ConfigureAwait(false);
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var bar = line.LastIndexOf('|');
            result[line[..bar]] = long.Parse(line[(bar + 1)..], CultureInfo.InvariantCulture);
        }
        return result;
    }

    /// <summary>Where admin statements (CREATE, DROP, ALTER DATABASE) run: never the database they change.</summary>
    public const string MaintenanceDatabase = "postgres";

    public static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    public static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>"public.jobs" (as pg_dump's COPY names it, possibly quoted) → "public"."jobs".</summary>
    public static string QualifiedName(string table)
    {
        var parts = SplitQualified(table);
        return string.Join('.', parts.Select(Identifier));
    }

    private static List<string> SplitQualified(string table)
    {
        var parts = new List<string>();
        var current = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < table.Length; i++)
        {
            var c = table[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < table.Length && table[i + 1] == '"') { current.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else current.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == '.') { parts.Add(current.ToString()); current.Clear(); }
            else current.Append(c);
        }
        parts.Add(current.ToString());
        return parts;
    }
}
