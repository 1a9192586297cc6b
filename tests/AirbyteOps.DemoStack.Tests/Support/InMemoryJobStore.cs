using System.Text.Json.Nodes;
using AirbyteOps.StandIns.DemoStack.Jobs;

namespace AirbyteOps.DemoStack.Tests.Support;

/// <summary>The jobs table in memory, ids counting from 1 like the BIGSERIAL of airbyte-db, for in-process tests.</summary>
public sealed class InMemoryJobStore : IJobStore
{
    private readonly Lock _gate = new();
    private readonly List<JobRecord> _jobs = [];
    private readonly List<AttemptRecord> _attempts = [];

    public Task EnsureSchemaAsync(CancellationToken ct = default) => Task.CompletedTask;

    public Task<JobRecord> CreateOrGetActiveSyncJobAsync(string connectionId, JsonObject config, CancellationToken ct = default)
    {
        lock (_gate)
        {
            var active = _jobs.LastOrDefault(j => j.Scope == connectionId && j.Status is JobStatus.Pending or JobStatus.Running);
            if (active is not null) return Task.FromResult(active);
            var now = DateTimeOffset.UtcNow;
            var job = new JobRecord(_jobs.Count + 1, "sync", connectionId, (JsonObject)config.DeepClone(), JobStatus.Pending, now, null, now);
            _jobs.Add(job);
            return Task.FromResult(job);
        }
    }

    public Task<JobRecord> CreateRunningJobAsync(string configType, string scope, JsonObject config, CancellationToken ct = default)
    {
        lock (_gate)
        {
            var now = DateTimeOffset.UtcNow;
            var job = new JobRecord(_jobs.Count + 1, configType, scope, (JsonObject)config.DeepClone(), JobStatus.Running, now, now, now);
            _jobs.Add(job);
            return Task.FromResult(job);
        }
    }

    public Task<JobRecord?> GetJobAsync(long id, CancellationToken ct = default)
    {
        lock (_gate) return Task.FromResult(_jobs.FirstOrDefault(j => j.Id == id));
    }

    public Task<IReadOnlyList<JobRecord>> ListJobsAsync(string configType, string scope, CancellationToken ct = default)
    {
        lock (_gate) return Task.FromResult<IReadOnlyList<JobRecord>>(_jobs.Where(j => j.ConfigType == configType && j.Scope == scope).OrderByDescending(j => j.Id).ToList());
    }

    public Task<IReadOnlyList<AttemptRecord>> ListAttemptsAsync(long jobId, CancellationToken ct = default)
    {
        lock (_gate) return Task.FromResult<IReadOnlyList<AttemptRecord>>(_attempts.Where(a => a.JobId == jobId).OrderBy(a => a.AttemptNumber).ToList());
    }

    public Task<JobRecord?> TakeNextPendingJobAsync(CancellationToken ct = default)
    {
        lock (_gate)
        {
            var index = _jobs.FindIndex(j => j.Status == JobStatus.Pending);
            if (index < 0) return Task.FromResult<JobRecord?>(null);
            var now = DateTimeOffset.UtcNow;
            _jobs[index] = _jobs[index] with { Status = JobStatus.Running, StartedAt = now, UpdatedAt = now };
            return Task.FromResult<JobRecord?>(_jobs[index]);
        }
    }

    public Task<AttemptRecord> CreateAttemptAsync(long jobId, int attemptNumber, string logPath, CancellationToken ct = default)
    {
        lock (_gate)
        {
            var now = DateTimeOffset.UtcNow;
            var attempt = new AttemptRecord(jobId, attemptNumber, logPath, null, "running", now, now, null);
            _attempts.Add(attempt);
            return Task.FromResult(attempt);
        }
    }

    public Task CompleteAttemptAsync(long jobId, int attemptNumber, bool succeeded, JsonObject? output, CancellationToken ct = default)
    {
        lock (_gate)
        {
            var now = DateTimeOffset.UtcNow;
            var status = succeeded ? JobStatus.Succeeded : JobStatus.Failed;
            var a = _attempts.FindIndex(x => x.JobId == jobId && x.AttemptNumber == attemptNumber);
            _attempts[a] = _attempts[a] with { Status = status, Output = output, UpdatedAt = now, EndedAt = now };
            var j = _jobs.FindIndex(x => x.Id == jobId);
            _jobs[j] = _jobs[j] with { Status = status, UpdatedAt = now };
            return Task.CompletedTask;
        }
    }

    public Task<JsonObject?> GetCurrentStateAsync(string connectionId, CancellationToken ct = default)
    {
        lock (_gate)
        {
            var state = _attempts
                .Where(a => a.Status == JobStatus.Succeeded && a.Output?["sync"]?["state"] is JsonObject && _jobs.Any(j => j.Id == a.JobId && j.ConfigType == "sync" && j.Scope == connectionId))
                .OrderByDescending(a => a.EndedAt).ThenByDescending(a => a.JobId)
                .Select(a => a.Output!["sync"]!["state"]!.DeepClone().AsObject())
                .FirstOrDefault();
            return Task.FromResult(state);
        }
    }

    public Task<int> FailOrphanedJobsAsync(CancellationToken ct = default) => Task.FromResult(0);
}
