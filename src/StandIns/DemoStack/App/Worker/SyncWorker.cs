using System.Text;
using System.Text.Json.Nodes;

namespace AirbyteOps.StandIns.DemoStack.Worker;

/// <summary>
/// Stand-in for one sync attempt of Airbyte 0.7 (source container | destination container, then normalization).
/// Runs in the job's attempt folder (where the scheduler wrote tap_config.json, target_config.json and
/// catalog.json), reads the stand-in source's built-in dataset, writes it to the destination, and with basic
/// normalization on generates normalize/ and builds the normalized tables. A stream in incremental mode starts after
/// the cursor value in input_state.json (written by the scheduler from the last successful attempt) and is appended
/// to the destination. Its last lines are "sync state: {...}" (the source's state blob, as the real worker captured
/// the tap's STATE messages) and "sync summary: {...}", as the real worker logged; the scheduler reads both.
/// </summary>
public static class SyncWorker
{
    public static async Task<SyncSummary> RunAsync(string jobRoot, string localMount, string sourceImage, string destinationImage, Action<string> log, CancellationToken ct = default)
    {
        var start = DateTimeOffset.UtcNow;
        long records = 0, bytes = 0;
        JsonObject? state = null;
        try
        {
            var tapConfig = await ReadJsonAsync(Path.Combine(jobRoot, "tap_config.json"), ct).ConfigureAwait(false);
            var targetConfig = await ReadJsonAsync(Path.Combine(jobRoot, "target_config.json"), ct).ConfigureAwait(false);
            var catalog = await ReadJsonAsync(Path.Combine(jobRoot, "catalog.json"), ct).ConfigureAwait(false);
            var inputStatePath = Path.Combine(jobRoot, "input_state.json");
            var inputState = File.Exists(inputStatePath) ? await ReadJsonAsync(inputStatePath, ct).ConfigureAwait(false) : null;
            state = inputState?.DeepClone().AsObject() ?? [];
            var streams = StandInNormalizationWriter.StreamsOf(catalog);
            var modes = SyncModes(catalog);
            log($"configured sync modes: {{{string.Join(", ", streams.Select(s => s.Name + "=" + modes[s.Name]))}}}");
            log($"stand-in source {sourceImage}: read --config tap_config.json --catalog catalog.json{(inputState is null ? "" : " --state input_state.json")}");
            log($"stand-in destination {destinationImage}: write --config target_config.json --catalog catalog.json");

            var discovered = StandInConnectors.Discover(sourceImage, tapConfig, localMount).ToDictionary(s => s.Name);
            var destination = CreateDestination(destinationImage, targetConfig, localMount);
            foreach (var (name, fields) in streams)
            {
                if (!discovered.TryGetValue(name, out var stream))
                    throw new InvalidDataException($"The source offers no stream '{name}' (it offers: {string.Join(", ", discovered.Keys)}).");
                var selected = fields.Select(f => f.Field).ToList();
                var incremental = modes[name] == "incremental";
                if (incremental && !stream.SupportsIncremental)
                    throw new InvalidDataException($"Stream '{name}' does not support incremental sync (it supports: {string.Join(", ", stream.SupportedSyncModes)}).");
                // The cursor the source starts after: the state's value in incremental mode, none in full refresh.
                var after = incremental ? inputState?[stream.StateKey!]?.GetValue<string>() : null;
                if (incremental) log($"stream {name}: incremental on cursor {stream.CursorField}, " + (after is null ? "no state: reading from the start" : $"state {stream.StateKey}={after}: reading records after it"));
                string? newest = after;
                var raw = new List<RawRecord>();
                long streamBytes = 0;
                foreach (var record in stream.ReadRecords())
                {
                    if (stream.SupportsIncremental)
                    {
                        var cursor = record[stream.CursorField!]?.GetValue<string>();
                        if (after is not null && string.CompareOrdinal(cursor, after) <= 0) continue;
                        if (newest is null || string.CompareOrdinal(cursor, newest) > 0) newest = cursor;
                    }
                    var projected = new JsonObject();
                    foreach (var field in selected) projected[field] = record[field]?.DeepClone();
                    var data = projected.ToJsonString();
                    raw.Add(new RawRecord(Guid.NewGuid(), DateTimeOffset.UtcNow, data));
                    streamBytes += Encoding.UTF8.GetByteCount(data);
                    if (raw.Count % 100 == 0) log($"Records read: {raw.Count}");
                }
                // Like the tap's STATE message: emitted once the stream's records are read, whatever the destination does next.
                if (stream.SupportsIncremental && newest is not null) state[stream.StateKey!] = newest;
                log($"stream {name}: {raw.Count} records read; {(incremental ? "appending" : "writing")} to {destination.Describe(name)}");
                await destination.WriteStreamAsync(name, raw, append: incremental, ct).ConfigureAwait(false);
                // Counted once written, so a failed write does not report bytes as synced.
                records += raw.Count;
                bytes += streamBytes;
                log($"stream {name}: {raw.Count} records written");
            }

            if (destination is StandInPostgresWriter && StandInPostgresSettings.From(targetConfig) is { BasicNormalization: true } settings)
            {
                var normalize = Path.Combine(jobRoot, "normalize");
                log($"Running with normalization stand-in (dbt-compatible project, no dbt): generating {normalize}");
                await StandInNormalizationWriter.WriteAsync(normalize, targetConfig, catalog, ct).ConfigureAwait(false);
                log($"Found {streams.Count} model(s), {streams.Count} source(s) in {normalize}/models/generated");
                await BasicNormalization.RunAsync(settings, streams, log, ct).ConfigureAwait(false);
                log("Completed successfully");
            }
            log(SyncSummary.StateLogPrefix + state.ToJsonString());
            var summary = new SyncSummary("completed", records, bytes, start, DateTimeOffset.UtcNow);
            log(SyncSummary.LogPrefix + summary.ToJson().ToJsonString());
            return summary;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            log($"ERROR sync failed: {Describe(ex)}");
            if (state is not null) log(SyncSummary.StateLogPrefix + state.ToJsonString());
            var summary = new SyncSummary("failed", records, bytes, start, DateTimeOffset.UtcNow);
            log(SyncSummary.LogPrefix + summary.ToJson().ToJsonString());
            return summary;
        }
    }

    /// <summary>Stream name → sync_mode of the configured catalog (full_refresh when absent).</summary>
    private static Dictionary<string, string> SyncModes(JsonObject catalog) =>
        (catalog["streams"]?.AsArray() ?? []).ToDictionary(
            s => s!["stream"]!["name"]!.GetValue<string>(),
            s => s!["sync_mode"]?.GetValue<string>() ?? "full_refresh");

    private static IStandInDestination CreateDestination(string destinationImage, JsonObject configuration, string localMount) => StandInConnectors.Repository(destinationImage) switch
    {
        StandInConnectors.CsvDestination => new StandInCsvWriter(configuration, localMount),
        StandInConnectors.PostgresDestination => new StandInPostgresWriter(StandInPostgresSettings.From(configuration)),
        var other => throw new NotSupportedException($"The demo stack has no stand-in for destination image '{other}' (it imitates {StandInConnectors.CsvDestination} and {StandInConnectors.PostgresDestination})."),
    };

    /// <summary>The exception chain in one line (Npgsql puts the socket error in the inner exception).</summary>
    private static string Describe(Exception ex)
    {
        var parts = new List<string>();
        for (var e = ex; e is not null; e = e.InnerException)
            if (parts.Count == 0 || !parts[^1].Contains(e.Message, StringComparison.Ordinal)) parts.Add(e.Message);
        return string.Join(" -> ", parts);
    }

    private static async Task<JsonObject> ReadJsonAsync(string path, CancellationToken ct) =>
        JsonNode.Parse(await File.ReadAllTextAsync(path, ct).ConfigureAwait(false)) as JsonObject
        ?? throw new InvalidDataException($"{Path.GetFileName(path)} does not hold a JSON object.");
}
