using System.Text.Json.Nodes;
using AirbyteOps.StandIns.DemoStack.Jobs;

namespace AirbyteOps.StandIns.DemoStack.Api;

/// <summary>
/// JobInfoRead of v0.7.1-alpha: <c>{job: JobRead, logs: {logLines: [...]}}</c>, the log being the last
/// <see cref="LogTail"/> lines of the newest attempt's logs.log, as the real server tailed it.
/// </summary>
public static class JobInfo
{
    /// <summary>0.7.1 returned the last 100 lines (0.7.2 – 0.19: 1000).</summary>
    public const int LogTail = 100;

    public static async Task<JsonObject> ReadAsync(IJobStore store, JobRecord job, CancellationToken ct)
    {
        var attempts = await store.ListAttemptsAsync(job.Id, ct).ConfigureAwait(false);
        var lines = attempts.Count == 0 ? new JsonArray() : await LogLinesAsync(attempts[^1].LogPath, ct).ConfigureAwait(false);
        return new JsonObject { ["job"] = ApiShapes.Job(job), ["logs"] = new JsonObject { ["logLines"] = lines } };
    }

    private static async Task<JsonArray> LogLinesAsync(string path, CancellationToken ct)
    {
        if (!File.Exists(path)) return [];
        var tail = new Queue<string>(LogTail + 1);
        // The scheduler may still be appending: share the file for writing while reading it.
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
        {
            tail.Enqueue(line);
            if (tail.Count > LogTail) tail.Dequeue();
        }
        return new JsonArray(tail.Select(l => (JsonNode?)JsonValue.Create(l)).ToArray());
    }
}
