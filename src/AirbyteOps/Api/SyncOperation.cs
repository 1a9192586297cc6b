using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace AirbyteOps.Api;

/// <summary>
/// Sync: connections/sync, then jobs/get until the job ends, printing the attempt's new log lines as they appear.
/// Speaks every file-era version (0.7.1 to 0.27.3) by the shape of what the server answers:
/// <list type="bullet">
/// <item>0.7.1: connections/sync answers <c>{status}</c> only, after the job ended; jobs/get answers <c>{job, logs}</c>;</item>
/// <item>0.7.2–0.10: it answers a JobInfoRead after the job ended, or a 500 once its 120 s poll gives up;</item>
/// <item>0.11 on: a JobInfoRead at once.</item>
/// </list>
/// So the call runs in the background with a timeout above the server's blocking window while the job is found
/// through jobs/list (newer than the jobs before it, asked every 100 ms for the first 2 s, then every 500 ms, until it appears) and followed (jobs/get every
/// 500 ms, and at once when a blocking call answers: the job has ended then); whichever names the job first wins.
/// </summary>
public sealed partial class SyncOperation(AirbyteApi api)
{
    /// <summary>Above the blocking servers' own 120 s window, so their answer (or their 500) arrives before ours gives up.</summary>
    public static readonly TimeSpan SyncCallTimeout = TimeSpan.FromSeconds(150);

    public async Task<SyncResult> RunAsync(SyncOptions options, Action<string> log, CancellationToken ct = default)
    {
        var connection = await FindConnectionAsync(api, options.Connection, ct).ConfigureAwait(false);
        var connectionId = connection["connectionId"]!.GetValue<string>();
        var name = connection["name"]?.GetValue<string>() ?? connectionId;
        var jobs = new JobLister(api, connectionId, ListsConfigTypes(options.AirbyteVersion));
        var before = (await jobs.ListAsync(ct).ConfigureAwait(false)).Select(j => j.Id).DefaultIfEmpty(0).Max();

        log($"Starting a sync of connection '{name}' ({connectionId}) ...");
        using var stopCall = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var call = api.PostAsync("connections/sync", new { connectionId }, stopCall.Token, SyncCallTimeout);
        var clock = Stopwatch.StartNew();
        long? jobId = null;
        var followers = new Dictionary<int, LogFollower>();
        try
        {
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                if (jobId is null && call.IsCompleted)
                {
                    jobId = await JobOfAnswerAsync(call).ConfigureAwait(false);
                    if (jobId is not null) log($"Job {jobId} created; following its log.");
                }
                jobId ??= (await jobs.ListAsync(ct).ConfigureAwait(false)).Where(j => j.Id > before || !IsTerminal(j.Status)).Select(j => (long?)j.Id).Max() is { } found
                    ? Announce(found) : null;
                if (jobId is { } id)
                {
                    var info = await api.PostAsync("jobs/get", new { id }, ct).ConfigureAwait(false);
                    var status = info["job"]?["status"]?.GetValue<string>() ?? "unknown";
                    var attempts = Attempts(info);
                    for (var i = 0; i < attempts.Count; i++)
                    {
                        var follower = followers.TryGetValue(i, out var f) ? f : followers[i] = new LogFollower();
                        foreach (var line in follower.Next(attempts[i].Lines)) log($"  [{id}/{i}] {line}");
                    }
                    if (IsTerminal(status)) return Verdict(name, id, status, attempts, log);
                    if (clock.Elapsed > options.Timeout)
                        throw new AirbyteApiException($"Job {id} of '{name}' is still {status} after {options.Timeout.TotalSeconds:0} s; it keeps running in Airbyte (follow it with ./build.sh Logs --job {id}).");
                }
                else if (clock.Elapsed > options.Timeout || (call.IsCompleted && clock.Elapsed > TimeSpan.FromSeconds(30)))
                {
                    throw new AirbyteApiException($"The sync of '{name}' was asked for, but no job of it appeared in jobs/list after {clock.Elapsed.TotalSeconds:0} s; check the server's log.");
                }
                await NextPollAsync(call, jobId is null && clock.Elapsed < options.FindFor ? options.FindInterval : options.PollInterval, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            // The job runs on in Airbyte whatever the call does; stop waiting for its answer.
            await stopCall.CancelAsync().ConfigureAwait(false);
            try
            {
                await call.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is AirbyteApiException or OperationCanceledException)
            {
            }
        }

        long Announce(long found)
        {
            log($"Job {found} created; following its log.");
            return found;
        }
    }

    /// <summary>
    /// The wait before the next look: the interval, cut short when connections/sync answers. The blocking versions (0.7.1 to
    /// 0.10) answer when the job has ended, so its end is seen then, not at the next poll; an answer already in does not cut it.
    /// </summary>
    private static async Task NextPollAsync(Task call, TimeSpan interval, CancellationToken ct)
    {
        if (call.IsCompleted)
        {
            await Task.Delay(interval, ct).ConfigureAwait(false);
            return;
        }
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var delay = Task.Delay(interval, wait.Token);
        await Task.WhenAny(call, delay).ConfigureAwait(false);
        await wait.CancelAsync().ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
    }

    /// <summary>The job id connections/sync answered with (0.7.2 on), or null: 0.7.1's {status}, a 500 or a timeout of a blocking server.</summary>
    private static async Task<long?> JobOfAnswerAsync(Task<JsonObject> call)
    {
        try
        {
            return (await call.ConfigureAwait(false))["job"]?["id"]?.GetValue<long>();
        }
        catch (AirbyteApiException ex) when (ex.StatusCode >= 500 || ex.TimedOut)
        {
            return null;
        }
    }

    /// <summary>True for versions known to take jobs/list {configTypes} (0.20 on); unknown or older: {configType} first.</summary>
    public static bool ListsConfigTypes(string? version)
    {
        var match = Regex.Match(version ?? "", @"^v?(\d+)\.(\d+)");
        return match.Success && (int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) > 0 || int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture) >= 20);
    }

    /// <summary>Job statuses of every version: 0.7.1 says completed where later versions say succeeded; incomplete (an attempt failed, another follows) is not the end.</summary>
    public static bool IsTerminal(string status) => status is "succeeded" or "completed" or "failed" or "cancelled";

    private static SyncResult Verdict(string name, long jobId, string status, IReadOnlyList<AttemptView> attempts, Action<string> log)
    {
        var last = attempts.LastOrDefault();
        var records = last?.Records ?? SummaryNumber(last?.Lines, "recordsSynced");
        var bytes = last?.Bytes ?? SummaryNumber(last?.Lines, "bytesSynced");
        var outcome = status == "completed" ? "succeeded" : status;
        var result = new SyncResult(jobId, attempts.Count == 0 ? 0 : attempts.Count - 1, outcome, records, bytes);
        if (outcome != "succeeded")
            throw new AirbyteApiException($"Sync of '{name}' {outcome}: {result}; the attempt's log is above (or ./build.sh Logs --job {jobId}).");
        log($"Sync of '{name}' succeeded: {result}.");
        return result;
    }

    /// <summary>0.7.1's jobs/get has no attempts and no counts: the attempt's log ends with the sync summary that holds them.</summary>
    private static long SummaryNumber(IReadOnlyList<string>? lines, string field)
    {
        foreach (var line in (lines ?? []).Reverse())
            foreach (Match m in SummaryField().Matches(line))
                if (m.Groups["field"].Value == field) return long.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture);
        return 0;
    }

    [GeneratedRegex("\"(?<field>recordsSynced|bytesSynced)\"\\s*:\\s*(?<value>\\d+)")]
    private static partial Regex SummaryField();

    private sealed record AttemptView(IReadOnlyList<string> Lines, long? Records, long? Bytes);

    /// <summary>The attempts of a JobInfoRead: {job, attempts:[{attempt, logs}]} from the tutorial's commit on, {job, logs} (one log, no counts) in 0.7.1.</summary>
    private static List<AttemptView> Attempts(JsonObject info)
    {
        if (info["attempts"] is JsonArray attempts)
            return attempts.OfType<JsonObject>().Select(a => new AttemptView(Lines(a["logs"]), a["attempt"]?["recordsSynced"]?.GetValue<long>(), a["attempt"]?["bytesSynced"]?.GetValue<long>())).ToList();
        return info["logs"] is JsonObject logs ? [new AttemptView(Lines(logs), null, null)] : [];
    }

    private static List<string> Lines(JsonNode? logs) => logs?["logLines"]?.AsArray().Select(l => l?.GetValue<string>() ?? "").ToList() ?? [];

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

    /// <summary>
    /// jobs/list of a connection's syncs: <c>{configType}</c> up to 0.12, <c>{configTypes}</c> from 0.20 (the form in
    /// between is not known here: the other form is tried when one is refused, and the one that worked is kept).
    /// </summary>
    private sealed class JobLister(AirbyteApi api, string connectionId, bool plural)
    {
        private bool _plural = plural;

        public async Task<IReadOnlyList<(long Id, string Status)>> ListAsync(CancellationToken ct)
        {
            JsonObject list;
            try
            {
                list = await api.PostAsync("jobs/list", Body(), ct).ConfigureAwait(false);
            }
            catch (AirbyteApiException ex) when (ex.StatusCode is 400 or 422)
            {
                _plural = !_plural;
                list = await api.PostAsync("jobs/list", Body(), ct).ConfigureAwait(false);
            }
            // JobRead (0.7.1) or JobWithAttemptsRead {job, attempts} (later).
            return list["jobs"]?.AsArray().OfType<JsonObject>()
                .Select(j => j["job"] as JsonObject ?? j)
                .Select(j => (j["id"]?.GetValue<long>() ?? 0, j["status"]?.GetValue<string>() ?? "unknown")).ToList() ?? [];
        }

        private JsonObject Body() => _plural
            ? new JsonObject { ["configTypes"] = new JsonArray("sync"), ["configId"] = connectionId }
            : new JsonObject { ["configType"] = "sync", ["configId"] = connectionId };
    }
}
