using System.Threading.Channels;
using AirbyteOps.Docker;

namespace AirbyteOps.Setups.Database;

/// <summary>
/// A read-only REPEATABLE READ transaction held open in the database container that has exported its snapshot
/// (<c>pg_export_snapshot()</c>), so that a later <c>pg_dump --snapshot=&lt;name&gt;</c> dumps the database exactly as it
/// was when the snapshot was taken, whatever was committed since. ExportSetup takes it while the writers are paused,
/// reads the configuration, lets the writers run again and only then dumps: the writers are held for the configuration
/// read, not for the whole dump.
/// <para>
/// The session is a <c>psql</c> run with <c>docker exec</c> (argument list, the container's local socket: no password)
/// whose stdin this process keeps open: Postgres keeps an exported snapshot only while the transaction that exported it
/// is open. Closing stdin ends psql, and with it the transaction (rolled back: it wrote nothing). A process killed
/// meanwhile closes the exec's connection, which closes psql's stdin the same way: nothing is left holding the database.
/// </para>
/// </summary>
internal sealed class SnapshotSession : IAsyncDisposable
{
    private const string Prefix = "abops-snapshot:";
    private const string VersionPrefix = "abops-version:";
    private readonly PsqlSession _psql;
    private readonly DatabaseTarget _target;
    private readonly PostgresShell _shell;
    private readonly TaskCompletionSource<string> _named = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _version = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SnapshotSession(DockerEngine engine, DatabaseTarget target)
    {
        _target = target;
        _shell = target.Shell(engine);
        // Ends when its stdin is closed (DisposeAsync), so that it is always ended the same way.
        _psql = new PsqlSession(engine, target.Name, target.User, target.Database, OnLine);
    }

    /// <summary>The exported snapshot's identifier, for <c>pg_dump --snapshot</c> (or <c>SET TRANSACTION SNAPSHOT</c>).</summary>
    public string Name { get; private set; } = "";

    private void OnLine(string line)
    {
        if (line.StartsWith(Prefix, StringComparison.Ordinal)) _named.TrySetResult(line[Prefix.Length..].Trim());
        else if (line.StartsWith(VersionPrefix, StringComparison.Ordinal)) _version.TrySetResult(line[VersionPrefix.Length..].Trim());
    }

    /// <summary>A session whose psql is connected (or connecting) and holds no transaction yet: <see cref="ExportAsync"/> takes the snapshot.</summary>
    public static SnapshotSession Start(DockerEngine engine, DatabaseTarget target) => new(engine, target);

    /// <summary>Start, then the snapshot exported at once (<see cref="ExportAsync"/>).</summary>
    public static async Task<SnapshotSession> OpenAsync(DockerEngine engine, DatabaseTarget target, TimeSpan timeout, CancellationToken ct)
    {
        var session = Start(engine, target);
        try
        {
            await session.ExportAsync(timeout, ct).ConfigureAwait(false);
            return session;
        }
        catch
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The server's version ("15.10", 15), asked in this session before any transaction: its answer also proves the database
    /// accepts connections. Null when the session ended first (the database does not accept connections yet, the container
    /// is paused or stopped), gave no answer within <paramref name="timeout"/>, or reached a first start's temporary server
    /// (<see cref="PostgresShell.ParseVersion"/>): the session is then of no further use.
    /// </summary>
    public async Task<(string Version, int Major)?> TryVersionAsync(TimeSpan timeout, CancellationToken ct)
    {
        _psql.Write("\\o /dev/stderr\nSELECT '" + VersionPrefix + "' || " + PostgresShell.VersionExpression + ";\n\\o\n");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        var first = await Task.WhenAny(_version.Task, _psql.Exec, Task.Delay(Timeout.Infinite, deadline.Token)).ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
        return first == _version.Task ? _shell.ParseVersion(_version.Task.Result) : null;
    }

    /// <summary>
    /// Opens the read-only REPEATABLE READ transaction and exports its snapshot: the database as it is now, for as long as
    /// this session lives. Sets and returns <see cref="Name"/>.
    /// </summary>
    public async Task<string> ExportAsync(TimeSpan timeout, CancellationToken ct)
    {
        // psql buffers its query output while it waits for more input; a query output file (\o) is flushed when it is
        // closed (the bare \o): the name arrives then, on stderr, while the transaction stays open. Every psql has \o.
        _psql.Write("BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY;\n\\o /dev/stderr\nSELECT '" + Prefix + "' || pg_export_snapshot();\n\\o\n");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        var wait = Task.Delay(Timeout.Infinite, deadline.Token);
        var first = await Task.WhenAny(_named.Task, _psql.Exec, wait).ConfigureAwait(false);
        if (first == _named.Task) return Name = _named.Task.Result;
        ct.ThrowIfCancellationRequested();
        if (first == _psql.Exec)
        {
            var result = await _psql.Exec.ConfigureAwait(false); // an engine that went away throws here, as any exec does
            throw new DockerOpsException($"Could not take a snapshot of database '{_target.Database}' in container '{_target.Name}' (psql exit {result.ExitCode}: {result.LastError}).");
        }
        throw new DockerOpsException($"Database '{_target.Database}' in container '{_target.Name}' did not export a snapshot within {timeout.TotalSeconds:0} s; check that Postgres answers (docker logs {_target.Name}) and run again.");
    }

    /// <summary>Ends the transaction (psql's stdin closed) and waits a little for psql to exit; never throws (the dump's outcome is what counts).</summary>
    public async ValueTask DisposeAsync() => await _psql.CloseAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);

    /// <summary>A stdin that yields what is written to it and ends (read returns 0) once completed.</summary>
    internal sealed class FeedStream : ForwardReadStream
    {
        private readonly Channel<byte[]> _chunks = Channel.CreateUnbounded<byte[]>();
        private ReadOnlyMemory<byte> _current;

        public void Write(string text) => _chunks.Writer.TryWrite(System.Text.Encoding.UTF8.GetBytes(text));

        public void Complete() => _chunks.Writer.TryComplete();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (_current.IsEmpty)
            {
                if (!await _chunks.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false)) return 0;
                if (_chunks.Reader.TryRead(out var chunk)) _current = chunk;
            }
            var count = Math.Min(buffer.Length, _current.Length);
            _current[..count].CopyTo(buffer);
            _current = _current[count..];
            return count;
        }
    }
}
