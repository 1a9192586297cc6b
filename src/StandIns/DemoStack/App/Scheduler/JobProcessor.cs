using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using AirbyteOps.StandIns.DemoStack.Hosting;
using AirbyteOps.StandIns.DemoStack.Jobs;
using AirbyteOps.StandIns.DemoStack.Worker;

namespace AirbyteOps.StandIns.DemoStack.Scheduler;

/// <summary>
/// Stand-in for the 0.7 scheduler's job handling: takes the next pending job, creates attempt 0, writes the attempt
/// folder (&lt;WORKSPACE_ROOT&gt;/&lt;job&gt;/&lt;attempt&gt;/ with tap_config.json, target_config.json, catalog.json,
/// singer_rendered_catalog.json and logs.log), runs the worker, and ends attempt and job with the worker's outcome.
/// One attempt per job: a failed sync fails the job (real Airbyte retried; see README).
/// </summary>
public sealed class JobProcessor
{
    /// <summary>The origin of the worker wrapper's own log lines; files beside the log are written compact.</summary>
    internal const string Origin = "WorkerRun(call)";
    internal static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };
    private readonly StandInSettings _settings;
    private readonly IJobStore _store;
    private readonly ISyncRunner _runner;

    public JobProcessor(StandInSettings settings, IJobStore store, ISyncRunner runner)
    {
        _settings = settings;
        _store = store;
        _runner = runner;
    }

    /// <summary>Runs the next pending job to its end; false when there was none.</summary>
    public async Task<bool> ProcessNextAsync(CancellationToken ct = default)
    {
        var job = await _store.TakeNextPendingJobAsync(ct).ConfigureAwait(false);
        if (job is null) return false;
        const int attemptNumber = 0;
        var attemptDirectory = Path.Combine(_settings.WorkspaceRoot, job.Id.ToString(CultureInfo.InvariantCulture), attemptNumber.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(attemptDirectory);
        var logPath = Path.Combine(attemptDirectory, "logs.log");
        await _store.CreateAttemptAsync(job.Id, attemptNumber, logPath, ct).ConfigureAwait(false);
        SyncSummary? summary = null;
        JsonObject? state = null;
        string? connectionId = null;
        long exitCode = -1;
        using (var log = new JobLog(logPath, attemptDirectory))
        {
            try
            {
                log.Info(Origin, "Executing worker wrapper...");
                var config = SyncJobConfig.FromJson(job.Config);
                connectionId = config.ConnectionId;
                await WriteAttemptFilesAsync(attemptDirectory, config, ct).ConfigureAwait(false);
                log.Info(Origin, $"Running sync for connection {config.ConnectionId} (demo stack stand-in of Airbyte {_settings.Version})");
                // Where the sync starts: the state in the output of the connection's last successful attempt.
                var current = await _store.GetCurrentStateAsync(config.ConnectionId, ct).ConfigureAwait(false);
                if (current?["state"] is JsonObject blob)
                {
                    await File.WriteAllTextAsync(Path.Combine(attemptDirectory, "input_state.json"), blob.ToJsonString(Compact), ct).ConfigureAwait(false);
                    log.Info(Origin, $"Starting from the state of the last successful sync: {blob.ToJsonString(Compact)}");
                }
                else log.Info(Origin, "No state from a successful sync of this connection: starting from the beginning");
                log.Debug("DockerProcessBuilderFactory(create)", "Preparing command: " + _runner.DescribeCommand(job.Id, attemptNumber, config));
                exitCode = await _runner.RunAsync(job.Id, attemptNumber, attemptDirectory, config, line =>
                {
                    summary = SyncSummary.TryParseLine(line) ?? summary;
                    state = SyncSummary.TryParseStateLine(line) ?? state;
                    log.Info("LineGobbler(voidCall)", line);
                }, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                log.Error(Origin, $"Sync worker failed: {ex.Message}");
            }
            var succeeded = exitCode == 0 && summary is { Succeeded: true };
            log.Info(Origin, succeeded ? "Sync worker completed: succeeded" : $"Sync worker completed: failed (exit code {exitCode})");
            await _store.CompleteAttemptAsync(job.Id, attemptNumber, succeeded, Output(summary, state, connectionId), CancellationToken.None).ConfigureAwait(false);
        }
        return true;
    }

    /// <summary>
    /// JobOutput of 0.7.1: <c>{outputType: "sync", sync: {standardSyncSummary, state: {connectionId, state}}}</c>. A
    /// failed attempt keeps the state the source emitted too (as the real worker captured it); only a succeeded
    /// attempt's state is where the next sync starts.
    /// </summary>
    internal static JsonObject? Output(SyncSummary? summary, JsonObject? state, string? connectionId)
    {
        if (summary is null) return null;
        var sync = new JsonObject { ["standardSyncSummary"] = summary.ToJson() };
        if (state is not null && connectionId is not null)
            sync["state"] = new JsonObject { ["connectionId"] = connectionId, ["state"] = state.DeepClone() };
        return new JsonObject { ["outputType"] = "sync", ["sync"] = sync };
    }

    private static async Task WriteAttemptFilesAsync(string directory, SyncJobConfig config, CancellationToken ct)
    {
        // As the 0.7 worker wrapper did: configurations (secrets included) and catalogs next to the log.
        await File.WriteAllTextAsync(Path.Combine(directory, "tap_config.json"), config.SourceConfiguration.ToJsonString(Compact), ct).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(directory, "target_config.json"), config.DestinationConfiguration.ToJsonString(Compact), ct).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(directory, "catalog.json"), config.ConfiguredCatalog.ToJsonString(Compact), ct).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(directory, "singer_rendered_catalog.json"), CatalogDocuments.ToSingerCatalog(config.ConfiguredCatalog).ToJsonString(Compact), ct).ConfigureAwait(false);
    }
}
