using AirbyteOps.Docker.Host;
using AirbyteOps.Faults.Tests.Support;
using AirbyteOps.Setups;

namespace AirbyteOps.Faults.Tests;

/// <summary>
/// Case 3: the build process itself is killed mid-operation (a child process running the real operation, killed with
/// SIGKILL: no finally block, no cleanup). The Setups tests kill a restore at "staged" and "swapped"; here the export,
/// and the restore at the one durable step they leave out, "swap-begun".
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class ProcessKilledTests(EngineFixture fixture)
{
    private readonly List<string> _log = [];

    [Fact]
    public async Task Build_killed_during_ExportSetup_leaves_the_old_setup_intact_nothing_that_looks_complete_and_the_next_run_completes()
    {
        await using var d = await ConfigTree.DeployAsync(fixture.Engine, running: true, "old");
        await new ExportSetupOperation(d.Engine).RunAsync(d.Export(), _log.Add);
        var oldSetup = await KilledExport.SnapshotFolderAsync(d.Setups);
        await d.SeedAsync("new");
        var live = await d.ListAsync(includeWorkArea: true);

        // The child reads the server's /data through the proxy, which holds the archive mid-response: the export is
        // under way (its partial folder exists) when the process is killed.
        await using (var proxy = EngineStopStandIn.Start())
        {
            var reading = proxy.HoldWhileResponding(r => r.StartsWith("GET ", StringComparison.Ordinal) && r.Contains("/archive", StringComparison.Ordinal), afterBytes: 1500);
            using var child = ChildProcess.Start(typeof(Program).Assembly, "export", proxy.DockerHost, "my-setup", d.Artifacts, d.Server, d.Volume, "engine");
            await Task.WhenAny(reading, child.WaitForExitAsync()).WaitAsync(TimeSpan.FromMinutes(2));
            if (child.HasExited) Assert.Fail("the export ended before it was killed: " + await child.StandardError.ReadToEndAsync());
            // The child handles the bytes it got on its own schedule: probe for its partial folder rather than assume it.
            await AirbyteOps.Docker.Readiness.WaitUntilAsync("the export's partial folder", _ => Task.FromResult(
                TempDirectory.Listing(d.Setups).Any(p => p.StartsWith(".my-setup.partial-", StringComparison.Ordinal))), TimeSpan.FromMinutes(1), TimeSpan.FromMilliseconds(50));
            await ChildProcess.KillAsync(child);
        }

        // The old setup is byte for byte what it was; besides it only a hidden ".partial-" folder, which nothing reads as a setup;
        // the next export of that name completes and clears what the killed one left behind.
        Assert.Equal(SetupLocation.ForRestore("my-setup", d.Artifacts).Folder, Path.Combine(d.Setups, "my-setup"));
        await KilledExport.AssertOldSetupKeptAndNextExportCompletesAsync(d, oldSetup, live, _log);
        // And it restores: the setup the next run wrote is complete.
        await d.SeedAsync("other");
        await new RestoreSetupOperation(d.Engine).RunAsync(d.Restore(), _log.Add);
        Assert.Equal(live, await d.ListAsync(includeWorkArea: true));
    }

    [Theory]
    [InlineData(VolumeAccess.Engine)]
    [InlineData(VolumeAccess.Auto)]
    public async Task Build_killed_right_after_RestoreSetup_marked_swap_begun_is_rolled_back_by_the_next_run_which_completes(VolumeAccess access)
    {
        await using var d = await ConfigTree.DeployAsync(fixture.Engine, running: false, "setup");
        await new ExportSetupOperation(d.Engine).RunAsync(d.Export(), _log.Add);
        var setupTree = await d.ListAsync(includeWorkArea: true);
        await d.SeedAsync("live");
        var live = await d.ListAsync(includeWorkArea: false);

        using (var child = ChildProcess.Start(typeof(Program).Assembly, "restore", "swap-begun", "my-setup", d.Artifacts, d.Server, d.Volume, DataPath.Argument(access)))
        {
            var seen = new List<string>();
            var reached = await ChildProcess.WaitForLineAsync(child, "AT swap-begun", TimeSpan.FromMinutes(2), seen);
            Assert.Contains(seen, l => l.Contains(DataPath.RestoreLine(DataPath.Direct(d.Engine, access)), StringComparison.Ordinal));
            await ChildProcess.KillAsync(child);
            if (!reached) Assert.Fail("the restore never reached swap-begun: " + await child.StandardError.ReadToEndAsync());
        }
        var afterKill = await d.ListAsync(includeWorkArea: true);
        Assert.Contains(afterKill, e => e.Path == ".airbyteops-restore/swap-begun");
        Assert.Equal(live, await d.ListAsync(includeWorkArea: false));

        // An export now must not save the half-restored volume as if it were a configuration.
        var refused = await Assert.ThrowsAsync<AirbyteOps.Setups.SetupException>(() => new ExportSetupOperation(d.Engine).RunAsync(d.Export("while-interrupted"), _log.Add));
        OneLine.Assert(refused, "interrupted RestoreSetup", d.Volume, "RestoreSetup again");
        Assert.DoesNotContain(TempDirectory.Listing(d.Setups), p => p.StartsWith("while-interrupted", StringComparison.Ordinal) || p.StartsWith(".while-interrupted", StringComparison.Ordinal));

        var next = await new RestoreSetupOperation(d.Engine).RunAsync(d.Restore(), _log.Add);
        Assert.Contains("interrupted during the swap", next.Recovered);
        Assert.Contains("(0 rename(s))", next.Recovered);
        Assert.Equal(setupTree, await d.ListAsync(includeWorkArea: true));
    }

    /// <summary>
    /// Issue 12: Ctrl-C in the build process at each durable step of a restore. The child turns SIGINT into cancellation
    /// (PosixSignalRegistration, as the build host does); the restore unwinds, says where the deployment is, and exits.
    /// </summary>
    [Theory]
    [InlineData("staged", VolumeAccess.Engine)]
    [InlineData("swap-begun", VolumeAccess.Engine)]
    [InlineData("swapped", VolumeAccess.Engine)]
    [InlineData("staged", VolumeAccess.Auto)]
    [InlineData("swap-begun", VolumeAccess.Auto)]
    [InlineData("swapped", VolumeAccess.Auto)]
    public async Task SIGINT_at_each_restore_step_leaves_the_deployment_as_before_or_as_restored_never_between_and_no_helper(string step, VolumeAccess access)
    {
        await using var d = await ConfigTree.DeployAsync(fixture.Engine, running: false, "setup");
        await new ExportSetupOperation(d.Engine).RunAsync(d.Export(), _log.Add);
        var restored = await d.ListAsync(includeWorkArea: true);
        await d.SeedAsync("live");
        var before = await d.ListAsync(includeWorkArea: true);
        Assert.NotEqual(before, restored);

        string output;
        var linesBefore = new List<string>();
        // SIGINT at its default in the child whatever the test run inherited (a CI runner's background shell ignores it).
        using (var child = ChildProcess.StartInterruptible(typeof(Program).Assembly, "restore", step, "my-setup", d.Artifacts, d.Server, d.Volume, DataPath.Argument(access)))
        {
            var reached = await ChildProcess.WaitForLineAsync(child, $"AT {step}", TimeSpan.FromMinutes(2), linesBefore);
            if (!reached)
            {
                await ChildProcess.KillAsync(child);
                Assert.Fail($"the restore never reached {step}: " + await child.StandardError.ReadToEndAsync());
            }
            Assert.False(ChildProcess.IgnoresSigint(child.Id), "the child ignores SIGINT, so Ctrl-C could not reach it");
            var (code, killOutput) = await ChildProcess.RunAsync("kill", "-INT", child.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(code == 0, killOutput);
            var rest = child.StandardOutput.ReadToEndAsync();
            var exited = child.WaitForExitAsync();
            if (await Task.WhenAny(exited, Task.Delay(TimeSpan.FromMinutes(2))) != exited)
            {
                await ChildProcess.KillAsync(child);
                Assert.Fail($"the restore did not end within 2 minutes of SIGINT at {step}; its output after the signal: {await rest}");
            }
            output = await rest;
            // It ended on its own, by unwinding (exit 1 and its message), not by the signal's default action.
            Assert.True(child.ExitCode == 1, $"exit code {child.ExitCode}; output: {output}; stderr: {await child.StandardError.ReadToEndAsync()}");
        }
        Assert.Contains(linesBefore, l => l.Contains(DataPath.RestoreLine(DataPath.Direct(d.Engine, access)), StringComparison.Ordinal));
        var failed = output.Split('\n').Single(l => l.StartsWith("FAILED ", StringComparison.Ordinal));
        Assert.Contains("interrupted (Ctrl-C or SIGTERM)", failed);

        // As before or as restored, never between; the message says which, and says it truly.
        var after = await d.ListAsync(includeWorkArea: true);
        Assert.True(after.SequenceEqual(before) || after.SequenceEqual(restored), $"after SIGINT at {step} the volume is neither the live tree nor the setup's");
        if (failed.Contains("The previous configuration was put back and verified; nothing changed", StringComparison.Ordinal)) Assert.Equal(before, after);
        else Assert.Equal(restored, after);

        // No helper container left on the volume (only the server).
        var helpers = (await d.Engine.Containers.ListAsync([AirbyteOps.Docker.Labels.Managed]))
            .Where(c => c.Mounts.Any(m => m.Name == d.Volume) && c.Name.TrimStart('/') != d.Server).Select(c => c.Name).ToList();
        Assert.Empty(helpers);

        // And the next run completes.
        await new RestoreSetupOperation(d.Engine).RunAsync(d.Restore(), _log.Add);
        Assert.Equal(restored, await d.ListAsync(includeWorkArea: true));
    }
}
