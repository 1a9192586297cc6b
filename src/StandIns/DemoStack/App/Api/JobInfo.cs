using System.Text.Json.Nodes;
using AirbyteOps.StandIns.DemoStack.Jobs;

namespace AirbyteOps.StandIns.DemoStack.Api;

/// <summary>JobInfoRead: {job: JobRead, attempts: [{attempt: AttemptRead, logs: {logLines: [...]}}]}, logs read from each attempt's logs.log.</summary>
public static class JobInfo
{
    public static async Task<JsonObject> ReadAsync(IJobStore store, JobRecord job, CancellationToken ct)
    {
        var attempts = new JsonArray();
        foreach (var attempt in await store.ListAttemptsAsync(job.Id, ct).ConfigureAwait(false))
            attempts.Add(new JsonObject { ["attempt"] = ApiShapes.Attempt(attempt), ["logs"] = new JsonObject { ["logLines"] = await LogLinesAsync(attempt.LogPath, ct).ConfigureAwait(false) } });
        return new JsonObject { ["job"] = ApiShapes.Job(job), ["attempts"] = attempts };
    }

    /// <summary>JobWithAttemptsRead (jobs/list): attempts without logs.</summary>
    public static async Task<JsonObject> ReadWithAttemptsAsync(IJobStore store, JobRecord job, CancellationToken ct)
    {
        var attempts = new JsonArray();
        foreach (var attempt in await store.ListAttemptsAsync(job.Id, ct).ConfigureAwait(false))
            attempts.Add(ApiShapes.Attempt(attempt));
        return new JsonObject { ["job"] = ApiShapes.Job(job), ["attempts"] = attempts };
    }

    private static async Task<JsonArray> LogLinesAsync(string path, CancellationToken ct)
    {
        var lines = new JsonArray();
        if (!File.Exists(path)) return lines;
        // The scheduler may still be appending: share the file for writing while reading it.
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line) lines.Add(line);
        return lines;
    }
}
