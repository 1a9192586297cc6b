using AirbyteOps.Docker;
using AirbyteOps.StandIns.DemoStack.Hosting;

namespace AirbyteOps.StandIns.DemoStack.Scheduler;

/// <summary>
/// Runs the worker the way real Airbyte 0.7 ran connectors: a container started through the mounted Docker socket,
/// on the host network (so "localhost:3000" in a destination means the host's port 3000), with the workspace volume
/// at /data, the host's local folder at /local, and the attempt folder as working directory.
/// </summary>
public sealed class DockerSyncRunner : ISyncRunner
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);
    private readonly StandInSettings _settings;

    public DockerSyncRunner(StandInSettings settings) => _settings = settings;

    public string DescribeCommand(long jobId, int attemptNumber, SyncJobConfig config) =>
        string.Join(' ', "docker", "run", "--rm", "-i", "-v", $"{_settings.WorkspaceDockerMount}:/data", "-v", $"{_settings.LocalDockerMount}:/local",
            "-w", $"/data/{jobId}/{attemptNumber}", "--network", "host", _settings.WorkerImage, "worker", config.SourceDockerImage, config.DestinationDockerImage);

    public async Task<long> RunAsync(long jobId, int attemptNumber, string attemptDirectory, SyncJobConfig config, Action<string> onLine, CancellationToken ct = default)
    {
        using var engine = DockerEngine.Connect();
        var spec = new ContainerSpec($"{_settings.WorkerNamePrefix}-{jobId}-{attemptNumber}-{Guid.NewGuid().ToString("N")[..8]}", _settings.WorkerImage)
        {
            Command = ["worker", config.SourceDockerImage, config.DestinationDockerImage],
            Mounts = [new VolumeMount(_settings.WorkspaceDockerMount, "/data"), new VolumeMount(_settings.LocalDockerMount, "/local")],
            WorkingDirectory = $"/data/{jobId}/{attemptNumber}",
            NetworkMode = "host",
            Labels = new Dictionary<string, string> { [Labels.Role] = "demo-stack-worker", ["org.airbyteops.demo-stack.worker-prefix"] = _settings.WorkerNamePrefix },
        };
        return await engine.RunAsync(spec, onLine, Timeout, ct).ConfigureAwait(false);
    }
}
