using System.Text.Json.Nodes;
using AirbyteOps.DemoStack.Tests.Support;
using AirbyteOps.Setups.Export;
using AirbyteOps.Setups.Restore;

namespace AirbyteOps.DemoStack.Tests.Integration;

/// <summary>
/// Issue 11 on the demo stack (real server, scheduler and airbyte-db, real pg_dump): ExportSetup carries the jobs
/// database, so after the database is wiped and the setup restored, the API lists the restored jobs and the next job id
/// continues after them instead of starting again at 1.
/// </summary>
public sealed class DatabaseRoundTripTests : IAsyncLifetime
{
    private ContainerStack _stack = null!;
    private readonly string _artifacts = Path.Combine(Path.GetTempPath(), "abops-test-ds-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly List<string> _log = [];

    public async Task InitializeAsync() => _stack = await ContainerStack.StartAsync();

    private string Scheduler => _stack.Prefix + "-scheduler";

    [Fact]
    public async Task Export_wipe_restore_gives_back_the_job_history_and_the_next_job_id_continues()
    {
        var source = await _stack.Api.CreateSourceAsync(ApiClient.ExchangeRatesDefinitionId, "rates", ApiClient.ExchangeRatesConfig());
        var destination = await _stack.Api.CreateDestinationAsync(ApiClient.LocalCsvDefinitionId, "csv", ApiClient.CsvConfig());
        var connection = await _stack.Api.CreateConnectionAsync(source, destination);
        await _stack.Api.SyncAsync(connection);
        var last = (await _stack.Api.SyncAsync(connection))["job"]!["id"]!.GetValue<long>();
        Assert.Equal(3, last); // discover_schema was job 1
        var before = await SyncJobIdsAsync(connection);

        var export = await new ExportSetupOperation(_stack.Engine).RunAsync(TestDeployment.ExportOptionsFor("with-db", _artifacts, _stack.Server, _stack.DataVolume) with
        {
            DatabaseContainer = _stack.Db, SchedulerContainer = Scheduler,
        }, _log.Add);
        Assert.Equal(3, export.Manifest.Database!.Rows["public.jobs"]);
        Assert.True((await _stack.Engine.Containers.InspectAsync(_stack.Server)).IsRunning);

        // The wipe of airbyte_db: a new database, where job ids start at 1 again.
        await _stack.RecreateDatabaseAsync();
        Assert.Equal(1, (await _stack.Api.SyncAsync(connection))["job"]!["id"]!.GetValue<long>());

        await new RestoreSetupOperation(_stack.Engine).RunAsync(new RestoreOptions
        {
            ConfigRoot = "/data", HelperImage = TestImages.Busybox, ForceVersion = false, AllowMissingSecrets = false, HealthTimeout = TimeSpan.FromMinutes(2),
            Setup = "with-db", ArtifactsDirectory = _artifacts, ServerContainer = _stack.Server, DataVolume = _stack.DataVolume,
            DatabaseContainer = _stack.Db, SchedulerContainer = Scheduler, HealthProbe = _ => _stack.Api.HealthAsync(),
        }, _log.Add);

        // The API lists the restored history (not the wiped database's job 1), and the next job continues after it.
        Assert.Equal(before, await SyncJobIdsAsync(connection));
        var next = (await _stack.Api.SyncAsync(connection))["job"]!["id"]!.GetValue<long>();
        Assert.Equal(4, next);
        Assert.Equal("completed", (await _stack.Api.PostAsync("jobs/get", new JsonObject { ["id"] = next }))["job"]!["status"]!.GetValue<string>());
        Assert.True((await _stack.Engine.Containers.InspectAsync(Scheduler)).IsRunning);
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
