using System.Net.Http;
using System.Net.Sockets;
using System.Text.Json;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace AirbyteOps.Docker;

/// <summary>
/// The one shared way to talk to the Docker engine. Every build target goes through it, so engine errors
/// read the same everywhere: one line that names the container, volume, image or path.
/// </summary>
public sealed class DockerEngine : IDisposable
{
    public const string DefaultSocket = "unix:///var/run/docker.sock";

    private DockerEngine(DockerClient client, Uri endpoint)
    {
        Client = client;
        Endpoint = endpoint;
        Containers = new ContainerOperations(this);
        Volumes = new VolumeOperations(this);
        Images = new ImageOperations(this);
        Networks = new NetworkOperations(this);
    }

    /// <summary>The Docker.DotNet client; only the helper's operations use it, so every call is guarded alike.</summary>
    internal DockerClient Client { get; }
    public Uri Endpoint { get; }
    public ContainerOperations Containers { get; }
    public VolumeOperations Volumes { get; }
    public ImageOperations Images { get; }
    public NetworkOperations Networks { get; }

    /// <summary>Connects to DOCKER_HOST when set, else to the default socket. Connecting sends nothing.</summary>
    public static DockerEngine Connect(string? dockerHost = null)
    {
        var host = dockerHost;
        if (string.IsNullOrWhiteSpace(host)) host = Environment.GetEnvironmentVariable("DOCKER_HOST");
        if (string.IsNullOrWhiteSpace(host)) host = DefaultSocket;
        var endpoint = new Uri(host);
        var client = new DockerClientBuilder().WithEndpoint(endpoint).Build();
        return new DockerEngine(client, endpoint);
    }

    /// <summary>True when the engine answers within the timeout.</summary>
    public async Task<bool> PingAsync(TimeSpan? timeout = null, CancellationToken ct = default) =>
        await AnswerAsync(async c => { await Client.System.PingAsync(c).ConfigureAwait(false); return true; }, timeout, ct).ConfigureAwait(false);

    /// <summary>The engine's version when it answers within the timeout, else null: a ping and the version in one round trip.</summary>
    public Task<VersionResponse?> TryVersionAsync(TimeSpan? timeout = null, CancellationToken ct = default) =>
        AnswerAsync<VersionResponse?>(async c => await Client.System.GetVersionAsync(c).ConfigureAwait(false), timeout, ct);

    private async Task<T?> AnswerAsync<T>(Func<CancellationToken, Task<T>> call, TimeSpan? timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout ?? TimeSpan.FromSeconds(3));
        try
        {
            return await call(cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or SocketException or IOException or OperationCanceledException or DockerApiException)
        {
            if (ct.IsCancellationRequested) throw;
            return default;
        }
    }

    public Task<VersionResponse> VersionAsync(CancellationToken ct = default) =>
        GuardAsync("the Docker engine", () => Client.System.GetVersionAsync(ct));

    public void Dispose() => Client.Dispose();

    /// <summary>Runs an engine call and turns its failure into a one-line <see cref="DockerOpsException"/> about <paramref name="subject"/>.</summary>
    internal async Task<T> GuardAsync<T>(string subject, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception ex) when (Translate(subject, ex) is { } translated)
        {
            throw translated;
        }
    }

    internal async Task GuardAsync(string subject, Func<Task> call)
    {
        try
        {
            await call().ConfigureAwait(false);
        }
        catch (Exception ex) when (Translate(subject, ex) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>The one-line error for an engine stream (an archive body) that broke mid-read: the engine stopped or went away.</summary>
    internal DockerOpsException StreamBroken(string subject, Exception ex) =>
        new($"{subject}: the Docker engine at {Endpoint} does not answer (the stream broke mid-copy: {Readiness.FirstLine(ex.Message).TrimEnd('.')}); run ./build.sh EnsureDocker to start it, then run the target again.", ex);

    private DockerOpsException? Translate(string subject, Exception ex) => ex switch
    {
        DockerOpsException => null,
        DockerImageNotFoundException => new DockerOpsException($"{subject}: no such image (images are built locally: run ./build.sh Images).", ex),
        DockerApiException api => new DockerOpsException($"{subject}: {EngineMessage(api)}", ex),
        HttpRequestException or SocketException or IOException when IsEngineDown(ex) =>
            new DockerOpsException($"{subject}: the Docker engine at {Endpoint} does not answer ({Readiness.FirstLine(ex.Message)}); run ./build.sh EnsureDocker to start it.", ex),
        _ => null,
    };

    private static bool IsEngineDown(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
            if (e is SocketException) return true;
        return ex is HttpRequestException;
    }

    private static string EngineMessage(DockerApiException api)
    {
        var body = api.ResponseBody;
        if (!string.IsNullOrWhiteSpace(body))
        {
            try
            {
                using var doc = JsonDocument.Parse(body);
                if (doc.RootElement.TryGetProperty("message", out var message) && message.GetString() is { } text)
                    return Readiness.FirstLine(text);
            }
            catch (JsonException) { }
            return Readiness.FirstLine(body);
        }
        return $"engine answered {(int)api.StatusCode} {api.StatusCode}";
    }
}
