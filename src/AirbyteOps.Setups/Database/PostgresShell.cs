using System.Globalization;
using System.Text;
using AirbyteOps.Docker;

namespace AirbyteOps.Setups.Database;

/// <summary>
/// Postgres tools run inside the database container with <c>docker exec</c> and argument lists (never a shell line):
/// psql and pg_dump. They connect over the container's local socket, which the official image (and its
/// stand-in) trusts, so no password is needed, passed or printed.
/// </summary>
internal sealed class PostgresShell(DockerEngine engine, string container, string user)
{
    public string Container => container;
    public string User => user;

    /// <summary>
    /// psql as every query and session here runs it: no psqlrc, quiet, stop at the first error, unaligned tuples only
    /// (statements go after it as <c>-c</c>, or on its stdin).
    /// </summary>
    internal static List<string> Psql(string user, string database) => ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-U", user, "-d", database, "-tA"];

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
        var command = Psql(user, database);
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

    /// <summary>
    /// One psql session, one exec, for a new database: <paramref name="before"/> run in the maintenance database (each its
    /// own statement: a DROP or CREATE DATABASE), then the session connects to <paramref name="database"/>, loads the plain
    /// SQL dump in one transaction (BEGIN, the dump, COMMIT: all of it or nothing, as <c>--single-transaction</c>), and runs
    /// <paramref name="after"/> there (a read-back). The first failure stops the rest. Returns what <paramref name="after"/>
    /// printed (psql's unaligned, tuples-only output; the dump's own SELECTs print too: mark what you read).
    /// </summary>
    public async Task<string> CreateAndLoadAsync(IReadOnlyList<string> before, string database, Stream dump, string after, CancellationToken ct)
    {
        var command = Psql(user, MaintenanceDatabase);
        foreach (var sql in before)
        {
            command.Add("-c");
            command.Add(sql);
        }
        command.Add("-c");
        command.Add("\\connect " + MetaArgument(database));
        command.Add("-f");
        command.Add("-");
        using var output = new MemoryStream();
        await using var stdin = new ConcatenatedStream(Encoding.UTF8.GetBytes("BEGIN;\n"), dump, Encoding.UTF8.GetBytes("\nCOMMIT;\n" + after + ";\n"));
        var result = await engine.ExecAsync(container, command, stdin: stdin, stdout: output, ct: ct).ConfigureAwait(false);
        if (!result.Succeeded)
            throw new DockerOpsException($"Loading the dump into database '{database}' in container '{container}' failed (exit {result.ExitCode}: {result.LastError}).");
        return Encoding.UTF8.GetString(output.ToArray());
    }

    /// <summary>A psql meta-command argument: single-quoted, a quote doubled (psql's own rule for backslash-command arguments).</summary>
    public static string MetaArgument(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>
    /// The SQL that counts the rows of <paramref name="tables"/>, one line per table: <c>&lt;marker&gt;public.jobs|12</c>;
    /// <see cref="ParseCounts"/> reads them back (lines without the marker are some other statement's output).
    /// </summary>
    public static string CountRowsSql(IEnumerable<string> tables, string marker = "") =>
        string.Join(" UNION ALL ", tables.Select(t => $"SELECT {Literal(marker + t)}, count(*) FROM {QualifiedName(t)}"));

    public static IReadOnlyDictionary<string, long> ParseCounts(string text, string marker = "")
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var bar = line.LastIndexOf('|');
            if (!line.StartsWith(marker, StringComparison.Ordinal) || bar < marker.Length
                || !long.TryParse(line.AsSpan(bar + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var count)) continue;
            result[line[marker.Length..bar]] = count;
        }
        return result;
    }

    /// <summary>The marker of the row counts read back in a session that also printed other output.</summary>
    public const string RowsMarker = "abops-rows:";

    /// <summary>
    /// (version, major) and the server's database names, asked in one exec; null when psql cannot ask yet (the server is
    /// starting) or the server that answers is a first start's temporary one (see <see cref="ParseVersion"/>).
    /// </summary>
    public async Task<((string Version, int Major) Version, IReadOnlyList<string> Databases)?> TryServerVersionAndDatabasesAsync(CancellationToken ct)
    {
        var (result, text) = await RunQueryAsync(MaintenanceDatabase, [VersionQuery, DatabasesQuery], ct).ConfigureAwait(false);
        if (!result.Succeeded) return null;
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return ParseVersion(lines.Length > 0 ? lines[0] : "") is { } version ? (version, lines.Skip(1).ToList()) : null;
    }

    /// <summary>
    /// The database answers and is the server that stays: the version query answered, by a server that takes TCP
    /// connections. pg_isready over the socket is not enough: on a first start it passes against the entrypoint's
    /// temporary server, which is stopped once the init scripts have run, cutting off whatever was sent to it.
    /// </summary>
    public async Task<bool> ReadyAsync(CancellationToken ct) => await NotReadyBecauseAsync(ct).ConfigureAwait(false) is null;

    /// <summary>Null when <see cref="ReadyAsync"/> would say ready; otherwise why not, for the wait's last error.</summary>
    public async Task<string?> NotReadyBecauseAsync(CancellationToken ct)
    {
        var (result, text) = await RunQueryAsync(MaintenanceDatabase, VersionQuery, ct).ConfigureAwait(false);
        if (!result.Succeeded) return $"psql: {result.LastError}";
        return ParseVersion(text) is null ? "the first start's temporary server answers (listen_addresses is empty): its init scripts are still running" : null;
    }

    /// <summary>The server's version ("15.10") and major (15).</summary>
    public async Task<(string Version, int Major)> ServerVersionAsync(CancellationToken ct)
    {
        var text = await QueryAsync(MaintenanceDatabase, VersionQuery, ct).ConfigureAwait(false);
        return ParseVersion(text)
            ?? throw new DockerOpsException($"Postgres in container '{container}' is still being initialised (its first start's temporary server answers); wait until it has started and run again.");
    }

    /// <summary>What <see cref="VersionQuery"/> selects: version|version number|listen_addresses.</summary>
    internal const string VersionExpression = "current_setting('server_version') || '|' || current_setting('server_version_num') || '|' || current_setting('listen_addresses')";

    internal const string VersionQuery = "SELECT " + VersionExpression;

    /// <summary>
    /// (version, major) from <see cref="VersionExpression"/>'s answer; null when the server takes no TCP connection
    /// (listen_addresses empty): the official image's entrypoint (and its stand-in's) runs the init scripts of a first
    /// start on such a temporary server, then stops it and starts the real one. Airbyte's server and scheduler reach the
    /// database over the network, so the real one never has it empty.
    /// </summary>
    internal (string Version, int Major)? ParseVersion(string text)
    {
        var parts = text.Trim().Split('|');
        if (parts.Length != 3 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            throw new DockerOpsException($"Container '{container}' did not tell its Postgres version (got '{text}').");
        return parts[2].Trim().Length == 0 ? null : (parts[0].Split(' ')[0], number / 10000);
    }

    /// <summary>As <see cref="ServerVersionAsync"/>, but null when psql cannot ask yet (the server is starting, or it is a first start's temporary server).</summary>
    public async Task<(string Version, int Major)?> TryServerVersionAsync(CancellationToken ct)
    {
        var text = await TryQueryAsync(MaintenanceDatabase, VersionQuery, ct).ConfigureAwait(false);
        return text is null ? null : ParseVersion(text);
    }

    private const string DatabasesQuery = "SELECT datname FROM pg_database ORDER BY datname";

    public async Task<IReadOnlyList<string>> DatabasesAsync(CancellationToken ct)
    {
        var text = await QueryAsync(MaintenanceDatabase, DatabasesQuery, ct).ConfigureAwait(false);
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>Rows per table ("public.jobs" → 12) of the given tables in <paramref name="database"/>.</summary>
    public async Task<IReadOnlyDictionary<string, long>> CountRowsAsync(string database, IEnumerable<string> tables, CancellationToken ct)
    {
        var list = tables.ToList();
        if (list.Count == 0) return new Dictionary<string, long>();
        var text = await QueryAsync(database, CountRowsSql(list), ct).ConfigureAwait(false);
        return ParseCounts(text);
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

    /// <summary>A read-only stream of a prefix, a stream, and a suffix, in that order (the inner stream is not disposed).</summary>
    private sealed class ConcatenatedStream(byte[] prefix, Stream middle, byte[] suffix) : ForwardReadStream
    {
        private int _part;
        private int _offset;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (_part < 3)
            {
                if (_part == 1)
                {
                    var read = await middle.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                    if (read > 0) return read;
                    _part = 2;
                    _offset = 0;
                    continue;
                }
                var bytes = _part == 0 ? prefix : suffix;
                if (_offset < bytes.Length)
                {
                    var count = Math.Min(buffer.Length, bytes.Length - _offset);
                    bytes.AsSpan(_offset, count).CopyTo(buffer.Span);
                    _offset += count;
                    return count;
                }
                _part++;
                _offset = 0;
            }
            return 0;
        }
    }
}
