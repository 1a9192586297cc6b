using System.Text.Json.Nodes;

namespace AirbyteOps.StandIns.DemoStack.Jobs;

/// <summary>Where jobs and attempts live: airbyte-db in the stack (so ids restart at 1 after a wipe), memory in unit tests.</summary>
public interface IJobStore
{
    Task EnsureSchemaAsync(CancellationToken ct = default);

    /// <summary>Creates a pending sync job for the connection, unless one is already pending or running (then returns that one).</summary>
    Task<JobRecord> CreateOrGetActiveSyncJobAsync(string connectionId, JsonObject config, CancellationToken ct = default);

    /// <summary>
    /// Creates a job that is already running (the server runs spec, check and discover jobs itself; the scheduler only
    /// takes pending ones), so it gets the next id from the jobs table like every job of the real scheduler.
    /// </summary>
    Task<JobRecord> CreateRunningJobAsync(string configType, string scope, JsonObject config, CancellationToken ct = default);

    Task<JobRecord?> GetJobAsync(long id, CancellationToken ct = default);

    Task<IReadOnlyList<JobRecord>> ListJobsAsync(string configType, string scope, CancellationToken ct = default);

    Task<IReadOnlyList<AttemptRecord>> ListAttemptsAsync(long jobId, CancellationToken ct = default);

    /// <summary>Marks the oldest pending job running and returns it, or null when none is pending.</summary>
    Task<JobRecord?> TakeNextPendingJobAsync(CancellationToken ct = default);

    Task<AttemptRecord> CreateAttemptAsync(long jobId, int attemptNumber, string logPath, CancellationToken ct = default);

    /// <summary>Ends the attempt and its job with the same outcome.</summary>
    Task CompleteAttemptAsync(long jobId, int attemptNumber, bool succeeded, JsonObject? output, CancellationToken ct = default);

    /// <summary>
    /// The State <c>{connectionId, state}</c> in the output of the connection's last SUCCESSFUL sync attempt
    /// (attempts.output→sync→state), or null when none has one: where the next sync of the connection starts.
    /// </summary>
    Task<JsonObject?> GetCurrentStateAsync(string connectionId, CancellationToken ct = default);

    /// <summary>Jobs left running by a scheduler that stopped are failed, so nobody waits for them forever.</summary>
    Task<int> FailOrphanedJobsAsync(CancellationToken ct = default);
}
