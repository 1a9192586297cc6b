using AirbyteOps.Docker.Host;
using AirbyteOps.Docker;
using AirbyteOps.Faults.Tests.Support;
using AirbyteOps.Setups;
using Xunit.Abstractions;

namespace AirbyteOps.Faults.Tests;

/// <summary>
/// Case 1: the Docker engine stops in the middle of a target. The real dockerd is shared, so it goes away through
/// <see cref="EngineStopStandIn"/>, a Unix-socket proxy in front of it that the test cuts.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class EngineStopTests(EngineFixture fixture, ITestOutputHelper output)
{
    private readonly List<string> _log = [];

    private static bool IsArchiveRead(string request) => request.StartsWith("GET ", StringComparison.Ordinal) && request.Contains("/archive", StringComparison.Ordinal);

    [Fact]
    public async Task Engine_gone_while_ExportSetup_reads_is_one_line_nothing_half_saved_and_the_next_run_completes()
    {
        await using var d = await ConfigTree.DeployAsync(fixture.Engine, running: true, "first");
        await new ExportSetupOperation(d.Engine).RunAsync(d.Export(), _log.Add);
        var saved = TempDirectory.Listing(d.Setups);
        var savedManifest = File.ReadAllText(Path.Combine(d.Setups, "my-setup", "setup.json"));
        await d.SeedAsync("second");
        var live = await d.ListAsync(includeWorkArea: true);

        await using var proxy = EngineStopStandIn.Start();
        var cut = proxy.CutWhileResponding(IsArchiveRead, afterBytes: 1500);
        using (var engine = DockerEngine.Connect(proxy.DockerHost))
        {
            var error = await Assert.ThrowsAsync<DockerOpsException>(() => new ExportSetupOperation(engine).RunAsync(d.Export() with { Overwrite = true, VolumeAccess = VolumeAccess.Engine }, _log.Add));
            Assert.True(cut.IsCompleted, "the engine was not cut while the server's /data was read: " + string.Join(", ", proxy.Requests));
            output.WriteLine(error.Message);
            OneLine.Assert(error, "does not answer", proxy.DockerHost, "EnsureDocker");
        }

        // Nothing lost: the old setup is as it was, nothing new or half-written beside it, the live tree untouched.
        Assert.Equal(saved, TempDirectory.Listing(d.Setups));
        Assert.Equal(savedManifest, File.ReadAllText(Path.Combine(d.Setups, "my-setup", "setup.json")));
        Assert.Equal(live, await d.ListAsync(includeWorkArea: true));

        proxy.Restore();
        using var back = DockerEngine.Connect(proxy.DockerHost);
        var next = await new ExportSetupOperation(back).RunAsync(d.Export() with { Overwrite = true }, _log.Add);
        Assert.False(next.UpToDate);
        Assert.Contains("second", File.ReadAllText(Path.Combine(d.Setups, "my-setup", "data/config/STANDARD_WORKSPACE/5ae6b09b-fdec-41af-aaf7-7d94cfc33ef6.json")));
        Assert.Equal(saved, TempDirectory.Listing(d.Setups).Select(p => p.Replace("second", "first", StringComparison.Ordinal)).ToList());
    }

    [Fact]
    public async Task Engine_gone_after_RestoreSetup_staged_is_one_line_live_config_unchanged_and_the_next_run_completes()
    {
        await using var d = await ConfigTree.DeployAsync(fixture.Engine, running: true, "setup");
        await new ExportSetupOperation(d.Engine).RunAsync(d.Export(), _log.Add);
        var setupTree = await d.ListAsync(includeWorkArea: true);
        await d.SeedAsync("live");
        var live = await d.ListAsync(includeWorkArea: true);

        await using var proxy = EngineStopStandIn.Start();
        using (var engine = DockerEngine.Connect(proxy.DockerHost))
        {
            var options = d.Restore() with
            {
                VolumeAccess = VolumeAccess.Engine, // the engine stream cut mid-way: the engine path's fault
                Checkpoint = (step, _) =>
                {
                    if (step == "staged") proxy.Cut();
                    return Task.CompletedTask;
                },
            };
            var error = await Assert.ThrowsAsync<DockerOpsException>(() => new RestoreSetupOperation(engine).RunAsync(options, _log.Add));
            output.WriteLine(error.Message);
            OneLine.Assert(error, "does not answer", proxy.DockerHost, "RestoreSetup again");
        }

        // The live configuration is exactly as before; only the staging area (which the next run removes) is extra.
        Assert.Equal(live, await d.ListAsync(includeWorkArea: false));
        Assert.Contains(await d.ListAsync(includeWorkArea: true), e => e.Path == ".airbyteops-restore");

        proxy.Restore();
        using var back = DockerEngine.Connect(proxy.DockerHost);
        var next = await new RestoreSetupOperation(back).RunAsync(d.Restore(), _log.Add);
        Assert.Contains("before it touched", next.Recovered);
        Assert.Equal(setupTree, await d.ListAsync(includeWorkArea: true));
    }
}
