using System.Diagnostics;
using System.Text.Json.Nodes;

namespace AirbyteOps.Api;

/// <summary>
/// Sync: connections/sync, then jobs/get until the job ends, printing the attempt's new log lines as they
/// appear. Speaks the real Airbyte API shape, so it works against a real deployment as well as the demo stack.
/// </summary>
public sealed class SyncOperation(AirbyteApi api)
{
    public async Task<SyncResult> RunAsync(SyncOptions options, Action<string> log, CancellationToken ct = default)
    {
        var connection = await FindConnectionAsync(api, options.Connection, ct).ConfigureAwait(false);
        var connectionId = connection["connectionId"]!.GetValue<string>();
        var name = connection["name"]?.GetValue<string>() ?? connectionId;

        log($"Starting a sync of connection '{name}' ({connectionId}) ...");
        var started = await api.PostAsync("connections/sync", new { connectionId }, ct).ConfigureAwait(false);
        var jobId = started["job"]?["id"]?.GetValue<long>() ?? throw new AirbyteApiException("connections/sync answered without a job id.");
        log($"Job {jobId} created; following its log.");

        var printed = new Dictionary<int, int>();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var info = await api.PostAsync("jobs/get", new { id = jobId }, ct).ConfigureAwait(false);
            var status = info["job"]?["status"]?.GetValue<string>() ?? "unknown";
            var attempts = info["attempts"]?.AsArray().OfType<JsonObject>().ToList() ?? [];
            for (var i = 0; i < attempts.Count; i++)
            {
                var lines = attempts[i]["logs"]?["logLines"]?.AsArray().Select(l => l?.GetValue<string>() ?? "").ToList() ?? [];
                var done = printed.GetValueOrDefault(i);
                foreach (var line in lines.Skip(done)) log($"  [{jobId}/{i}] {line}");
                printed[i] = Math.Max(done, lines.Count);
            }
            if (status is "succeeded" or "failed" or "cancelled")
            {
                var last = attempts.LastOrDefault()?["attempt"] as JsonObject;
                var result = new SyncResult(jobId, attempts.Count == 0 ? 0 : attempts.Count - 1, status,
                    last?["recordsSynced"]?.GetValue<long>() ?? 0, last?["bytesSynced"]?.GetValue<long>() ?? 0);
                if (status != "succeeded")
                    throw new AirbyteApiException($"Sync of '{name}' {status}: {result}; the attempt's log is above (or ./build.sh Logs --job {jobId}).");
                log($"Sync of '{name}' succeeded: {result}.");
                return result;
            }
            if (clock.Elapsed > options.Timeout)
                throw new AirbyteApiException($"Job {jobId} of '{name}' is still {status} after {options.Timeout.TotalSeconds:0} s; it keeps running in Airbyte (follow it with ./build.sh Logs --job {jobId}).");
            await Task.Delay(options.PollInterval, ct).ConfigureAwait(false);
        }
    }

    public static async Task<JsonObject> FindConnectionAsync(AirbyteApi api, string nameOrId, CancellationToken ct = default)
    {
        var workspaceId = await api.DefaultWorkspaceIdAsync(ct).ConfigureAwait(false);
        var connections = await api.ListAsync("connections", workspaceId, ct).ConfigureAwait(false);
        var match = connections.FirstOrDefault(c => c["connectionId"]?.GetValue<string>() == nameOrId)
            ?? connections.FirstOrDefault(c => string.Equals(c["name"]?.GetValue<string>(), nameOrId, StringComparison.OrdinalIgnoreCase));
        if (match is not null) return match;
        var known = connections.Select(c => c["name"]?.GetValue<string>()).Where(n => n is not null).ToList();
        throw new AirbyteApiException(known.Count == 0
            ? $"No connection '{nameOrId}': the deployment has no connections yet (create one with ./build.sh CreateConnections)."
            : $"No connection '{nameOrId}'; the deployment has: {string.Join(", ", known)}.");
    }
}
