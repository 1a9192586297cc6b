using AirbyteOps.Docker.Host;
using AirbyteOps.Faults.Tests.Support;
using AirbyteOps.Setups;

namespace AirbyteOps.Faults.Tests;

/// <summary>
/// Faults of the direct data path (the volume's folder written on this host, <c>--volume-access auto</c>), where the
/// engine-stream faults (engine cut mid-copy) cannot happen: a setup file that changed or went after the restore checked
/// it, found while the staging tree is being written several files at a time. The restore stops, says which file, puts
/// the previous configuration back and verifies it; the live volume is exactly as before, no work area left.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class DirectPathFaultTests(EngineFixture fixture)
{
    private readonly List<string> _log = [];

    [Theory]
    [InlineData("shrunk")]
    [InlineData("gone")]
    public async Task A_setup_file_changed_after_the_checks_stops_the_direct_restore_naming_it_and_the_previous_configuration_stays(string change)
    {
        await using var d = await ConfigTree.DeployAsync(fixture.Engine, running: false, "setup");
        await new ExportSetupOperation(d.Engine).RunAsync(d.Export() with { VolumeAccess = VolumeAccess.Auto }, _log.Add);
        await d.SeedAsync("live");
        var live = await d.ListAsync(includeWorkArea: true);
        const string victim = "config/STANDARD_SYNC/setup.json";
        var file = Path.Combine(d.Setups, "my-setup", "data", victim);
        Assert.True(File.Exists(file));

        // The setup is changed the moment the restore says it starts writing: after its checksum pass, before the staging write.
        var changed = false;
        void Log(string line)
        {
            _log.Add(line);
            if (changed || !line.StartsWith("Writing ", StringComparison.Ordinal) || !line.Contains("staging area", StringComparison.Ordinal)) return;
            changed = true;
            if (change == "gone") File.Delete(file);
            else File.WriteAllText(file, "{}");
        }
        var error = await Assert.ThrowsAsync<SetupException>(() => new RestoreSetupOperation(d.Engine).RunAsync(d.Restore() with { VolumeAccess = VolumeAccess.Auto }, Log));

        Assert.True(changed);
        Assert.Contains(_log, l => l.Contains("is written and read directly on this host", StringComparison.Ordinal));
        OneLine.Assert(error, $"Setup file '{victim}'", "it changed since it was checked", "The previous configuration was put back and verified; nothing changed (safety snapshot: ");
        Assert.Equal(live, await d.ListAsync(includeWorkArea: true));
        Assert.DoesNotContain(live, e => e.Path.StartsWith(LiveTree.WorkDirectory, StringComparison.Ordinal));
    }
}
