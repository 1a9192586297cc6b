using AirbyteOps.Docker;
using AirbyteOps.Faults.Tests.Support;
using AirbyteOps.Setups;
using Xunit.Abstractions;

namespace AirbyteOps.Faults.Tests;

/// <summary>
/// Case 2: the server container is killed (engine.Containers.KillAsync) in the middle of ExportSetup and of RestoreSetup.
/// The "server" is a busybox container with a uniquely named volume at /data.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class ServerKilledTests(EngineFixture fixture, ITestOutputHelper output)
{
    private readonly List<string> _log = [];

    [Fact]
    public async Task Server_killed_while_ExportSetup_reads_its_data_loses_nothing_and_the_next_run_finds_it_up_to_date()
    {
        await using var d = await ConfigTree.DeployAsync(fixture.Engine, running: true, "live");
        var live = await d.ListAsync(includeWorkArea: true);

        // The proxy holds the server's /data archive mid-response: the export has started reading when the server dies.
        await using var proxy = EngineStopStandIn.Start();
        var reading = proxy.HoldWhileResponding(r => r.StartsWith("GET ", StringComparison.Ordinal) && r.Contains($"/containers/{d.Server}/archive", StringComparison.Ordinal), afterBytes: 1500);
        using var engine = DockerEngine.Connect(proxy.DockerHost);
        var export = new ExportSetupOperation(engine).RunAsync(d.Export() with { VolumeAccess = AirbyteOps.Docker.Host.VolumeAccess.Engine }, _log.Add);
        await reading.WaitAsync(TimeSpan.FromMinutes(1));
        await d.Engine.Containers.KillAsync(d.Server);
        Assert.False(await d.ServerRunningAsync());
        proxy.Release();

        var result = await export;
        Assert.False(result.UpToDate);
        Assert.Equal(live, await d.ListAsync(includeWorkArea: true));
        Assert.Contains("live", File.ReadAllText(Path.Combine(d.Setups, "my-setup", "data/config/STANDARD_SYNC/live.json")));
        Assert.DoesNotContain(TempDirectory.Listing(d.Setups), p => p.StartsWith('.'));

        // The next run reads the volume directly (the server is down) and finds the same content.
        var next = await new ExportSetupOperation(d.Engine).RunAsync(d.Export(), _log.Add);
        Assert.True(next.UpToDate);
        Assert.Contains(_log, l => l.Contains("is not running; reading volume", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(AirbyteOps.Docker.Host.VolumeAccess.Engine)]
    [InlineData(AirbyteOps.Docker.Host.VolumeAccess.Auto)] // the direct path where this host can take it (root, local engine)
    public async Task Server_killed_during_RestoreSetup_puts_the_previous_configuration_back_and_the_next_run_completes(AirbyteOps.Docker.Host.VolumeAccess access)
    {
        // After the swap: the new tree is live when the server dies, so this is the case where something must be undone.
        const string checkpoint = "swapped";
        await using var d = await ConfigTree.DeployAsync(fixture.Engine, running: true, "setup");
        await new ExportSetupOperation(d.Engine).RunAsync(d.Export(), _log.Add);
        var setupTree = await d.ListAsync(includeWorkArea: true);
        await d.SeedAsync("live");
        var live = await d.ListAsync(includeWorkArea: true);
        var snapshotsBefore = TempDirectory.Listing(Path.Combine(d.Artifacts, "snapshots"));

        // Healthy means: the server container runs. It is healthy before, so the restore waits for it after the swap.
        var options = d.Restore() with
        {
            VolumeAccess = access,
            HealthProbe = async ct => (await d.Engine.Containers.FindAsync(d.Server, ct))?.IsRunning == true,
            HealthTimeout = TimeSpan.FromSeconds(3),
            Checkpoint = async (step, ct) =>
            {
                if (step == checkpoint) await d.Engine.Containers.KillAsync(d.Server, ct);
            },
        };
        var error = await Assert.ThrowsAsync<DockerOpsException>(() => new RestoreSetupOperation(d.Engine).RunAsync(options, _log.Add));
        output.WriteLine(error.Message);
        Assert.Contains(_log, l => l.Contains(DataPath.RestoreLine(DataPath.Direct(d.Engine, access)), StringComparison.Ordinal));
        OneLine.Assert(error, $"server '{d.Server}'", "previous configuration was put back and verified; nothing changed", "safety snapshot");
        Assert.False(await d.ServerRunningAsync());
        Assert.Equal(live, await d.ListAsync(includeWorkArea: true));
        Assert.Equal("live", await d.WorkspaceLabelAsync());
        // The safety snapshot it names is a complete setup of the live tree.
        var snapshot = Assert.Single(TempDirectory.Listing(Path.Combine(d.Artifacts, "snapshots")).Except(snapshotsBefore), p => !p.Contains('/', StringComparison.Ordinal) && !p.EndsWith(".json", StringComparison.Ordinal));
        Assert.Contains(snapshot, error.Message, StringComparison.Ordinal);

        await d.Engine.Containers.StartAsync(d.Server);
        var next = await new RestoreSetupOperation(d.Engine).RunAsync(options with { Checkpoint = null }, _log.Add);
        Assert.False(next.AlreadyIdentical);
        Assert.Null(next.Recovered);
        Assert.Equal(setupTree, await d.ListAsync(includeWorkArea: true));
    }
}
