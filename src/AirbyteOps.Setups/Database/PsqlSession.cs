using AirbyteOps.Docker;

namespace AirbyteOps.Setups.Database;

/// <summary>
/// One psql run in the database's container (<c>docker exec</c>, argument list, its local socket: no password) whose stdin
/// this process keeps open: statements are written to it as they are needed, and it ends when its stdin is closed
/// (<see cref="CloseAsync"/>), or with this process's connection to the engine. Not cancelled by a token: it always ends
/// the same way. Used where starting a psql exec at the moment a statement is needed would cost its start-up there.
/// </summary>
internal sealed class PsqlSession
{
    private readonly SnapshotSession.FeedStream _stdin = new();

    public PsqlSession(DockerEngine engine, string container, string user, string database, Action<string>? onLine = null) =>
        Exec = Task.Run(() => engine.ExecAsync(container, PostgresShell.Psql(user, database), stdin: _stdin, stdout: Stream.Null, onLine: onLine, ct: CancellationToken.None));

    /// <summary>The psql exec: it completes when psql has exited (stdin closed, or psql gave up: it could not connect, say).</summary>
    public Task<ExecResult> Exec { get; }

    public void Write(string text) => _stdin.Write(text);

    /// <summary>
    /// Closes psql's stdin and waits up to <paramref name="wait"/> for it to exit: its result, or null when it did not exit in
    /// time or the exec failed (an engine that went away ends psql with it). Never throws.
    /// </summary>
    public async Task<ExecResult?> CloseAsync(TimeSpan wait)
    {
        _stdin.Complete();
        try
        {
            return await Exec.WaitAsync(wait).ConfigureAwait(false);
        }
        catch (Exception)
        {
            _ = Exec.Observe();
            return null;
        }
    }
}
