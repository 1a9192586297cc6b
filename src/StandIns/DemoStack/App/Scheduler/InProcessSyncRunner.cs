using AirbyteOps.StandIns.DemoStack.Hosting;
using AirbyteOps.StandIns.DemoStack.Worker;

namespace AirbyteOps.StandIns.DemoStack.Scheduler;

/// <summary>Runs the worker inside the scheduler process (unit tests, or a machine without Docker): LOCAL_ROOT plays /local.</summary>
public sealed class InProcessSyncRunner : ISyncRunner
{
    private readonly StandInSettings _settings;

    public InProcessSyncRunner(StandInSettings settings) => _settings = settings;

    public string DescribeCommand(long jobId, int attemptNumber, SyncJobConfig config) =>
        $"(in process) standin worker {config.SourceDockerImage} {config.DestinationDockerImage} in {Path.Combine(_settings.WorkspaceRoot, jobId.ToString(System.Globalization.CultureInfo.InvariantCulture), attemptNumber.ToString(System.Globalization.CultureInfo.InvariantCulture))}";

    public async Task<long> RunAsync(long jobId, int attemptNumber, string attemptDirectory, SyncJobConfig config, Action<string> onLine, CancellationToken ct = default)
    {
        var summary = await SyncWorker.RunAsync(attemptDirectory, _settings.LocalRoot, config.SourceDockerImage, config.DestinationDockerImage, onLine, ct).ConfigureAwait(false);
        return summary.Succeeded ? 0 : 1;
    }
}
