using System.Globalization;
using System.Text.Json.Nodes;
using AirbyteOps.StandIns.DemoStack.Hosting;
using AirbyteOps.StandIns.DemoStack.Jobs;

namespace AirbyteOps.StandIns.DemoStack.Scheduler;

/// <summary>
/// A spec, check or discover job, as the real scheduler gave each one: an id from the jobs table and an attempt folder
/// <c>&lt;WORKSPACE_ROOT&gt;/&lt;job&gt;/0/</c> with <c>logs.log</c> and, for check and discover, <c>tap_config.json</c>
/// (workspace/LAYOUT.md). Unlike the real one, the stand-in runs the connector's answer in the server itself (it has
/// no connector images), so the job is created running and ended by the caller.
/// </summary>
public static class ConnectorJob
{
    /// <summary>Runs <paramref name="work"/> as job <paramref name="configType"/> (API name: discover_schema, ...) of <paramref name="scope"/>.</summary>
    public static async Task<T> RunAsync<T>(IJobStore store, StandInSettings settings, string configType, string scope, string dockerImage, string command,
        JsonObject? connectorConfiguration, Func<JobLog, T> work, CancellationToken ct)
    {
        var job = await store.CreateRunningJobAsync(configType, scope, new JsonObject { ["dockerImage"] = dockerImage }, ct).ConfigureAwait(false);
        const int attemptNumber = 0;
        var directory = Path.Combine(settings.WorkspaceRoot, job.Id.ToString(CultureInfo.InvariantCulture), attemptNumber.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(directory);
        var logPath = Path.Combine(directory, "logs.log");
        await store.CreateAttemptAsync(job.Id, attemptNumber, logPath, ct).ConfigureAwait(false);
        var succeeded = false;
        try
        {
            using var log = new JobLog(logPath, directory);
            try
            {
                log.Info(JobProcessor.Origin, "Executing worker wrapper...");
                if (connectorConfiguration is not null)
                    await File.WriteAllTextAsync(Path.Combine(directory, "tap_config.json"), connectorConfiguration.ToJsonString(JobProcessor.Compact), ct).ConfigureAwait(false);
                log.Debug("DockerProcessBuilderFactory(create)", $"Preparing command: (demo stack: answered in the server, no container) {dockerImage} {command}");
                var result = work(log);
                succeeded = true;
                log.Info(JobProcessor.Origin, $"{configType} job {job.Id} succeeded");
                return result;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.Error(JobProcessor.Origin, $"{configType} job {job.Id} failed: {ex.Message}");
                throw;
            }
        }
        finally
        {
            await store.CompleteAttemptAsync(job.Id, attemptNumber, succeeded, null, CancellationToken.None).ConfigureAwait(false);
        }
    }
}
