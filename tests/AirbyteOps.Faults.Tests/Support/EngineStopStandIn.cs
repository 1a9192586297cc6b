using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace AirbyteOps.Faults.Tests.Support;

/// <summary>
/// A stand-in for the Docker engine going away. The real dockerd is shared by other engineers and tests, so it is never
/// stopped: instead this small Unix-socket proxy listens on a temp socket and forwards every connection to
/// /var/run/docker.sock, and a test points <c>DockerEngine.Connect("unix://...")</c> at it. <see cref="Cut"/> closes the
/// listener and every forwarded connection, which is what a client sees when dockerd stops (open calls break, new
/// connections are refused); <see cref="Restore"/> listens again, as a restarted engine would.
/// <para>
/// Rules act on a request seen on its way to the engine (matched on the HTTP request line, e.g. an archive GET): cut or
/// hold once N bytes of its response went back to the client, or hold the request before the engine sees it. Holding
/// is a checkpoint: the test acts (kills a container, kills a process) and then releases.
/// </para>
/// </summary>
public sealed partial class EngineStopStandIn : IAsyncDisposable
{
    public const string RealEngineSocket = "/var/run/docker.sock";

    private readonly object _gate = new();
    private readonly List<Socket> _open = [];
    private Socket? _listener;
    private Rule? _rule;

    private EngineStopStandIn(string socketPath) => SocketPath = socketPath;

    public string SocketPath { get; }
    /// <summary>What to pass to DockerEngine.Connect.</summary>
    public string DockerHost => "unix://" + SocketPath;
    /// <summary>Request lines seen so far ("GET /v1.41/containers/x/json"), for failure messages.</summary>
    public List<string> Requests { get; } = [];

    public static EngineStopStandIn Start()
    {
        var proxy = new EngineStopStandIn(Path.Combine(Path.GetTempPath(), $"abops-test-{Guid.NewGuid():N}"[..20] + ".sock"));
        proxy.Restore();
        return proxy;
    }

    /// <summary>The engine goes away: the listener and every forwarded connection close.</summary>
    public void Cut()
    {
        List<Socket> sockets;
        lock (_gate)
        {
            sockets = [.. _open];
            _open.Clear();
            if (_listener is not null) sockets.Add(_listener);
            _listener = null;
        }
        foreach (var s in sockets)
        {
            try { s.Shutdown(SocketShutdown.Both); } catch (SocketException) { } catch (ObjectDisposedException) { }
            s.Dispose();
        }
    }

    /// <summary>The engine is back: listens on the same socket path again.</summary>
    public void Restore()
    {
        lock (_gate)
        {
            if (_listener is not null) return;
            if (File.Exists(SocketPath)) File.Delete(SocketPath);
            var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
            listener.Listen(64);
            _listener = listener;
            _ = AcceptLoopAsync(listener);
        }
    }

    /// <summary>Cuts the engine once <paramref name="afterBytes"/> bytes of the response to a matching request reached the client.</summary>
    public Task CutWhileResponding(Func<string, bool> request, int afterBytes) => Arm(new Rule(request, RuleStage.Response, afterBytes, Hold: false));

    /// <summary>Stops forwarding the response to a matching request after <paramref name="afterBytes"/> bytes, until <see cref="Release"/>.</summary>
    public Task HoldWhileResponding(Func<string, bool> request, int afterBytes) => Arm(new Rule(request, RuleStage.Response, afterBytes, Hold: true));

    /// <summary>Holds a matching request before the engine sees it, until <see cref="Release"/>.</summary>
    public Task HoldRequest(Func<string, bool> request) => Arm(new Rule(request, RuleStage.Request, 0, Hold: true));

    public void Release() => _rule?.Released.TrySetResult();

    private Task Arm(Rule rule)
    {
        lock (_gate) _rule = rule;
        return rule.Triggered.Task;
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (true)
        {
            Socket client;
            try { client = await listener.AcceptAsync(); }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException) { return; }
            var upstream = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try { await upstream.ConnectAsync(new UnixDomainSocketEndPoint(RealEngineSocket)); }
            catch (SocketException) { client.Dispose(); upstream.Dispose(); continue; }
            lock (_gate)
            {
                if (_listener != listener) { client.Dispose(); upstream.Dispose(); return; }
                _open.Add(client);
                _open.Add(upstream);
            }
            var link = new Link();
            _ = PumpRequestsAsync(client, upstream, link);
            _ = PumpResponsesAsync(upstream, client, link);
        }
    }

    private async Task PumpRequestsAsync(Socket from, Socket to, Link link)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None);
                if (read == 0) break;
                foreach (Match m in RequestLine().Matches(Encoding.Latin1.GetString(buffer, 0, read)))
                {
                    var line = $"{m.Groups[1].Value} {m.Groups[2].Value}";
                    Rule? matched;
                    lock (_gate)
                    {
                        Requests.Add(line);
                        matched = _rule is { Fired: false } r && r.Request(line) ? r : null;
                        if (matched is not null) matched.Fired = true;
                    }
                    if (matched is null) continue;
                    if (matched.Stage == RuleStage.Request)
                    {
                        matched.Triggered.TrySetResult();
                        await matched.Released.Task;
                    }
                    else
                    {
                        link.Sent = 0;
                        link.Armed = matched;
                    }
                }
                await SendAllAsync(to, buffer.AsMemory(0, read));
            }
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException) { }
    }

    private async Task PumpResponsesAsync(Socket from, Socket to, Link link)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None);
                if (read == 0) break;
                var chunk = buffer.AsMemory(0, read);
                if (link.Armed is { } rule)
                {
                    var allowed = Math.Min(read, rule.AfterBytes - link.Sent);
                    await SendAllAsync(to, chunk[..allowed]);
                    link.Sent += allowed;
                    if (link.Sent >= rule.AfterBytes)
                    {
                        link.Armed = null;
                        rule.Triggered.TrySetResult();
                        if (!rule.Hold)
                        {
                            Cut();
                            return;
                        }
                        await rule.Released.Task;
                    }
                    chunk = chunk[allowed..];
                }
                await SendAllAsync(to, chunk);
            }
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException) { }
    }

    private static async Task SendAllAsync(Socket to, ReadOnlyMemory<byte> data)
    {
        while (data.Length > 0)
        {
            var sent = await to.SendAsync(data, SocketFlags.None);
            data = data[sent..];
        }
    }

    public ValueTask DisposeAsync()
    {
        Release();
        Cut();
        if (File.Exists(SocketPath)) File.Delete(SocketPath);
        return ValueTask.CompletedTask;
    }

    [GeneratedRegex(@"^(GET|HEAD|POST|PUT|DELETE) (\S+) HTTP/1\.[01]\r?$", RegexOptions.Multiline)]
    private static partial Regex RequestLine();

    private enum RuleStage { Request, Response }

    private sealed record Rule(Func<string, bool> Request, RuleStage Stage, int AfterBytes, bool Hold)
    {
        public bool Fired { get; set; }
        public TaskCompletionSource Triggered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class Link
    {
        public Rule? Armed { get; set; }
        public int Sent { get; set; }
    }
}
