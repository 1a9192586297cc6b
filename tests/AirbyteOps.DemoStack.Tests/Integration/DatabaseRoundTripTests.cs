using System.Text.Json.Nodes;
using AirbyteOps.DemoStack.Tests.Support;
using AirbyteOps.Docker;
using AirbyteOps.Setups.Export;
using AirbyteOps.Setups.Restore;
using Npgsql;

namespace AirbyteOps.DemoStack.Tests.Integration;

/// <summary>
/// Issue 11 on the demo stack (real server, scheduler and airbyte-db, real pg_dump): ExportSetup carries the jobs
/// database (and with --include logs the job logs), so after the database and the workspace are wiped and the setup
/// restored, the API lists the restored jobs, Logs lists their attempts with their logs, and the next job id continues
/// after them instead of starting again at 1.
/// </summary>
public sealed class DatabaseRoundTripTests : IAsyncLifetime
{
    private ContainerStack _stack = null!;
    private readonly string _artifacts = Path.Combine(Path.GetTempPath(), "abops-test-ds-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly List<string> _log = [];

    public async Task InitializeAsync() => _stack = await ContainerStack.StartAsync(destination: true);

    private string Scheduler => _stack.Prefix + "-scheduler";

    [Fact]
    public async Task Export_with_logs_wipe_restore_gives_back_the_job_history_Logs_lists_it_and_the_next_job_id_continues()
    {
        var source = await _stack.Api.CreateSourceAsync(ApiClient.ExchangeRatesDefinitionId, "rates", ApiClient.ExchangeRatesConfig());
        var destination = await _stack.Api.CreateDestinationAsync(ApiClient.LocalCsvDefinitionId, "csv", ApiClient.CsvConfig());
        var connection = await _stack.Api.CreateConnectionAsync(source, destination);
        await _stack.Api.SyncAsync(connection);
        var last = (await _stack.Api.SyncAsync(connection))["job"]!["id"]!.GetValue<long>();
        Assert.Equal(3, last); // discover_schema was job 1
        var before = await SyncJobIdsAsync(connection);
        var logsBefore = await LogFilesAsync();
        Assert.Equal(["1/0/logs.log", "2/0/logs.log", "3/0/logs.log"], logsBefore.Keys.Order(StringComparer.Ordinal));

        var export = await new ExportSetupOperation(_stack.Engine).RunAsync(TestDeployment.ExportOptionsFor("with-db", _artifacts, _stack.Server, _stack.DataVolume) with
        {
            DatabaseContainer = _stack.Db, SchedulerContainer = Scheduler, IncludeLogs = true, WorkspaceVolume = _stack.WorkspaceVolume,
        }, _log.Add);
        Assert.Equal(3, export.Manifest.Database!.Rows["public.jobs"]);
        Assert.Equal(["configuration", "database", "logs"], export.Manifest.Contents);
        Assert.Equal(["logs/1/0/logs.log", "logs/2/0/logs.log", "logs/3/0/logs.log"], export.Manifest.Logs!.Files.Select(f => f.Path));
        Assert.True((await _stack.Engine.Containers.InspectAsync(_stack.Server)).IsRunning);

        // The wipe of airbyte_db and of the workspace: a new database, where job ids start at 1 again, and no log but the new job's.
        await _stack.RecreateDatabaseAsync();
        await ClearWorkspaceAsync();
        Assert.Equal(1, (await _stack.Api.SyncAsync(connection))["job"]!["id"]!.GetValue<long>());
        Assert.Equal(["1/0/logs.log"], (await LogFilesAsync()).Keys);

        await new RestoreSetupOperation(_stack.Engine).RunAsync(new RestoreOptions
        {
            ConfigRoot = "/data", HelperImage = TestImages.Busybox, ForceVersion = false, AllowMissingSecrets = false, HealthTimeout = TimeSpan.FromMinutes(2),
            Setup = "with-db", ArtifactsDirectory = _artifacts, ServerContainer = _stack.Server, DataVolume = _stack.DataVolume,
            DatabaseContainer = _stack.Db, SchedulerContainer = Scheduler, HealthProbe = _ => _stack.Api.HealthAsync(), WorkspaceVolume = _stack.WorkspaceVolume,
        }, _log.Add);

        // The workspace holds the exported logs byte for byte (the wiped history's job 1 replaced), and Logs lists them.
        Assert.Equal(logsBefore, await LogFilesAsync());
        var listing = new List<string>();
        var attempts = await new AirbyteOps.Workspace.Logs.LogsOperation(_stack.Engine).RunAsync(new AirbyteOps.Workspace.Logs.LogsOptions
        {
            WorkspaceVolume = _stack.WorkspaceVolume, HelperImage = TestImages.Busybox, ArtifactsDirectory = _artifacts, Copy = false, Follow = false,
        }, listing.Add);
        Assert.Equal([3L, 2L, 1L], attempts.Select(a => a.Id.Job));
        Assert.Contains(listing, l => l.EndsWith("3 job(s), 3 attempt(s), newest first.", StringComparison.Ordinal));

        // The API lists the restored history (not the wiped database's job 1), and the next job continues after it.
        Assert.Equal(before, await SyncJobIdsAsync(connection));
        var next = (await _stack.Api.SyncAsync(connection))["job"]!["id"]!.GetValue<long>();
        Assert.Equal(4, next);
        Assert.Equal("completed", (await _stack.Api.PostAsync("jobs/get", new JsonObject { ["id"] = next }))["job"]!["status"]!.GetValue<string>());
        Assert.True((await _stack.Engine.Containers.InspectAsync(Scheduler)).IsRunning);
    }

    /// <summary>
    /// The key case: an incremental connection syncs, rows are added to its source, the deployment is exported,
    /// its database wiped and the setup restored; the next sync appends only the new rows. The same sequence with a
    /// configuration-only setup (what the tutorial's docker cp saves) re-reads the whole source: duplicates.
    /// </summary>
    [Fact]
    public async Task An_incremental_connection_after_export_wipe_restore_syncs_only_new_rows_and_after_a_configuration_only_restore_re_reads_everything()
    {
        var schema = "incr_" + Guid.NewGuid().ToString("N")[..8];
        var source = await _stack.Api.CreateSourceAsync(ApiClient.ExchangeRatesDefinitionId, "rates", ApiClient.ExchangeRatesConfig());
        var destination = await _stack.Api.CreateDestinationAsync(ApiClient.PostgresDefinitionId, "pg", ApiClient.PostgresConfig(_stack.DestinationPort, _stack.DestinationPassword, normalization: false, schema: schema));
        var connection = await _stack.Api.CreateConnectionAsync(source, destination, syncMode: "incremental");
        Assert.Equal("succeeded", (await _stack.Api.SyncAsync(connection))["status"]!.GetValue<string>());
        await using var db = new NpgsqlConnection(_stack.DestinationConnectionString);
        await db.OpenAsync();
        var first = await ScalarAsync(db, $"SELECT count(*) FROM {schema}.exchange_rate_raw");
        Assert.True(first > 0);
        await _stack.AddExchangeRatesAsync(3);

        var options = TestDeployment.ExportOptionsFor("full", _artifacts, _stack.Server, _stack.DataVolume) with { DatabaseContainer = _stack.Db, SchedulerContainer = Scheduler };
        var full = await new ExportSetupOperation(_stack.Engine).RunAsync(options, _log.Add);
        await new ExportSetupOperation(_stack.Engine).RunAsync(options with { Setup = "config-only", DatabaseContainer = null }, _log.Add);
        // The destination's password is in jobs.config; the shareable dump holds a placeholder for it.
        Assert.DoesNotContain(_stack.DestinationPassword, File.ReadAllText(Path.Combine(full.Location.Folder!, full.Manifest.Database!.File)));

        // Wipe the jobs database, restore the full setup, sync: only the 3 new rows arrive, no duplicate.
        await _stack.RecreateDatabaseAsync();
        await RestoreAsync("full");
        Assert.Equal("succeeded", (await _stack.Api.SyncAsync(connection))["status"]!.GetValue<string>());
        Assert.Equal(first + 3, await ScalarAsync(db, $"SELECT count(*) FROM {schema}.exchange_rate_raw"));
        Assert.Equal(0, await DuplicatesAsync(db, schema));

        // The same with the configuration-only setup: the state is gone, the whole source is read again.
        await _stack.RecreateDatabaseAsync();
        await RestoreAsync("config-only");
        Assert.Contains(_log, l => l.StartsWith("Setup 'config-only' holds the configuration only: sync state", StringComparison.Ordinal));
        Assert.Equal("succeeded", (await _stack.Api.SyncAsync(connection))["status"]!.GetValue<string>());
        Assert.Equal(2 * (first + 3), await ScalarAsync(db, $"SELECT count(*) FROM {schema}.exchange_rate_raw"));
        Assert.Equal(first + 3, await DuplicatesAsync(db, schema));
    }

    private Task RestoreAsync(string setup) =>
        new RestoreSetupOperation(_stack.Engine).RunAsync(new RestoreOptions
        {
            ConfigRoot = "/data", HelperImage = TestImages.Busybox, ForceVersion = false, AllowMissingSecrets = false, HealthTimeout = TimeSpan.FromMinutes(2),
            Setup = setup, ArtifactsDirectory = _artifacts, ServerContainer = _stack.Server, DataVolume = _stack.DataVolume,
            DatabaseContainer = _stack.Db, SchedulerContainer = Scheduler, HealthProbe = _ => _stack.Api.HealthAsync(),
        }, _log.Add);

    private static async Task<long> ScalarAsync(NpgsqlConnection db, string sql)
    {
        await using var command = new NpgsqlCommand(sql, db);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Dates that arrived more than once.</summary>
    private static Task<long> DuplicatesAsync(NpgsqlConnection db, string schema) =>
        ScalarAsync(db, $"SELECT count(*) FROM (SELECT data->>'date' FROM {schema}.exchange_rate_raw GROUP BY 1 HAVING count(*) > 1) d");

    /// <summary>Every logs.log in the workspace volume (job/attempt/logs.log → content).</summary>
    private async Task<Dictionary<string, string>> LogFilesAsync() =>
        (await _stack.ReadTreeAsync("/tmp/workspace")).Where(kv => kv.Key.EndsWith("/logs.log", StringComparison.Ordinal) && kv.Key.Split('/').Length == 3)
            .ToDictionary(kv => kv.Key, kv => kv.Value);

    /// <summary>The wipe of the workspace volume: its job folders deleted (the containers keep it mounted).</summary>
    private async Task ClearWorkspaceAsync()
    {
        var spec = new ContainerSpec("abops-test-wipe-" + Guid.NewGuid().ToString("N")[..8], TestImages.Busybox)
        {
            Command = ["rm", "-rf", "/volume/1", "/volume/2", "/volume/3"], // the jobs so far (busybox find has no -delete)
            Mounts = [new VolumeMount(_stack.WorkspaceVolume, "/volume")],
            NetworkMode = "none",
        };
        Assert.Equal(0, await _stack.Engine.RunAsync(spec, _ => { }));
    }

    private async Task<List<long>> SyncJobIdsAsync(string connection) =>
        (await _stack.Api.PostAsync("jobs/list", new JsonObject { ["configType"] = "sync", ["configId"] = connection }))["jobs"]!.AsArray()
            .Select(j => j!["id"]!.GetValue<long>()).Order().ToList();

    public async Task DisposeAsync()
    {
        await _stack.DisposeAsync();
        if (Directory.Exists(_artifacts)) Directory.Delete(_artifacts, recursive: true);
    }
}
