namespace AirbyteOps.StandIns.DemoStack.Scheduler;

/// <summary>Runs one attempt's sync worker in its attempt folder and relays its output lines.</summary>
public interface ISyncRunner
{
    /// <summary>The docker-run-like command the job log shows for this attempt.</summary>
    string DescribeCommand(long jobId, int attemptNumber, SyncJobConfig config);

    /// <summary>Returns the worker's exit code (0 when the sync succeeded).</summary>
    Task<long> RunAsync(long jobId, int attemptNumber, string attemptDirectory, SyncJobConfig config, Action<string> onLine, CancellationToken ct = default);
}
