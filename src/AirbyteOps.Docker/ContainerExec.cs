using System.Text;
using Docker.DotNet.Models;

namespace AirbyteOps.Docker;

/// <summary>The outcome of one <c>docker exec</c>: its exit code and the last lines it wrote to stderr.</summary>
public sealed record ExecResult(long ExitCode, string Stderr)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>The last non-empty stderr line, for a one-line error.</summary>
    public string LastError => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "no output";
}

/// <summary>
/// The one <c>docker exec</c> of the project, with an argument list (never a shell line): stdin streamed from a Stream,
/// stdout streamed into one, stderr kept (bounded) for the error message, and, when asked, both told line by line as they
/// arrive (a workspace listing, say). Environment values (a password, say) go in the exec's environment and never into
/// its arguments or any output. The exit code is -1 when the engine cannot tell one.
/// </summary>
public static class ContainerExec
{
    private const int StderrKeep = 16 * 1024;

    /// <param name="onLine">Every line of stdout and stderr, in the order they arrive (carriage returns trimmed); null: none.</param>
    public static async Task<ExecResult> ExecAsync(this DockerEngine engine, string container, IReadOnlyList<string> command,
        Stream? stdin = null, Stream? stdout = null, IReadOnlyDictionary<string, string>? environment = null, string? user = null,
        Action<string>? onLine = null, CancellationToken ct = default)
    {
        var what = $"running '{command[0]}' in container '{container}'";
        var create = new ContainerExecCreateParameters
        {
            Cmd = command.ToList(),
            AttachStdin = stdin is not null,
            AttachStdout = true,
            AttachStderr = true,
            Env = environment?.Select(kv => $"{kv.Key}={kv.Value}").ToList()!,
            User = user!,
        };
        var exec = await engine.GuardAsync(what, () => engine.Client.Exec.CreateContainerExecAsync(container, create, ct)).ConfigureAwait(false);
        using var stream = await engine.GuardAsync(what, () => engine.Client.Exec.StartContainerExecAsync(exec.ID, new ContainerExecStartParameters(), ct)).ConfigureAwait(false);
        var stderr = new BoundedText(StderrKeep);
        var lines = onLine is null ? null : new LineSplitter(onLine);
        // The feed stops when the command has ended (its output's end): a command that exits before reading all of its
        // stdin (psql that could not connect, a tar that refused its input) ends the exec, whatever stdin still holds.
        using var feeding = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var feed = Task.CompletedTask;
        try
        {
            if (stdin is not null)
            {
                feed = Task.Run(async () =>
                {
                    var buffer = new byte[81920];
                    int read;
                    while ((read = await stdin.ReadAsync(buffer, feeding.Token).ConfigureAwait(false)) > 0)
                    {
                        try
                        {
                            await stream.WriteAsync(buffer, 0, read, feeding.Token).ConfigureAwait(false);
                        }
                        catch (Exception ex) when (ex is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
                        {
                            // The command ended (or the connection did) with stdin unread: the output's end and the
                            // exit code tell which; a broken connection fails the output's read too.
                            return;
                        }
                    }
                    stream.CloseWrite();
                }, feeding.Token);
            }
            var output = new byte[81920];
            while (true)
            {
                var read = await stream.ReadOutputAsync(output, 0, output.Length, ct).ConfigureAwait(false);
                if (read.EOF) break;
                lines?.Append(output.AsSpan(0, read.Count));
                if (read.Target == global::Docker.DotNet.MultiplexedStream.TargetStream.StandardError) stderr.Append(output.AsSpan(0, read.Count));
                else if (stdout is not null) await stdout.WriteAsync(output.AsMemory(0, read.Count), ct).ConfigureAwait(false);
            }
            lines?.Flush();
            if (!feed.IsCompleted) await feeding.CancelAsync().ConfigureAwait(false);
            try
            {
                // Bounded: a stdin whose read ignores the token must not hold an exec whose command has ended.
                await feed.WaitAsync(TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (feeding.IsCancellationRequested && !ct.IsCancellationRequested &&
                                       ex is OperationCanceledException or IOException or ObjectDisposedException or TimeoutException)
            {
                // Stopped because the command ended: what it did not read is not its input any more; its exit code tells.
            }
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or System.Net.Http.HttpRequestException or ObjectDisposedException && !ct.IsCancellationRequested)
        {
            throw engine.StreamBroken($"{char.ToUpperInvariant(what[0])}{what[1..]}", ex);
        }
        finally
        {
            // Never left running on a failure: a feed still reading a stdin that no one completes would hold it forever.
            if (!feed.IsCompleted)
            {
                await feeding.CancelAsync().ConfigureAwait(false);
                _ = feed.Observe();
            }
        }
        var result = await engine.GuardAsync(what, () => engine.Client.Exec.InspectContainerExecAsync(exec.ID, ct)).ConfigureAwait(false);
        return new ExecResult(result.Running ? -1 : result.ExitCode ?? -1, stderr.ToString());
    }

    /// <summary>Keeps the last <c>limit</c> bytes of a stream of text (an error is at its end).</summary>
    private sealed class BoundedText(int limit)
    {
        private readonly List<byte> _bytes = [];

        public void Append(ReadOnlySpan<byte> chunk)
        {
            _bytes.AddRange(chunk.ToArray());
            if (_bytes.Count > limit) _bytes.RemoveRange(0, _bytes.Count - limit);
        }

        public override string ToString() => Encoding.UTF8.GetString(_bytes.ToArray());
    }
}
