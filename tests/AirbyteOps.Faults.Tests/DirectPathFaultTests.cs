using System.Formats.Tar;
using AirbyteOps.Docker.Host;
using AirbyteOps.Faults.Tests.Support;
using AirbyteOps.Setups;

namespace AirbyteOps.Faults.Tests;

/// <summary>
/// Faults of the direct data path (the volume's folder read and written on this host, <c>--volume-access auto</c>, the
/// default), where the engine-stream faults (engine cut mid-copy) cannot happen: a setup file that changed or went after
/// the restore checked it; a live file removed, shrunk or grown between ExportSetup's walk and its read; the setup's disk
/// full; the build process killed mid-export. Each ends in one line, nothing half-written that looks complete, every
/// container as it was found.
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

    /// <summary>
    /// RestoreSetup's check of the live tree after the swap takes the staging read-back's checksum of a file whose stamp is
    /// unchanged: a live file changed after the swap (the same size, its modification time set back) is still caught, the
    /// restore refused in one line and the previous configuration put back.
    /// </summary>
    [Fact]
    public async Task A_live_file_changed_after_the_swap_to_the_same_size_and_time_is_caught_by_the_live_check_and_the_previous_configuration_stays()
    {
        await using var d = await ConfigTree.DeployAsync(fixture.Engine, running: false, "setup");
        await new ExportSetupOperation(d.Engine).RunAsync(d.Export() with { VolumeAccess = VolumeAccess.Auto }, _log.Add);
        await d.SeedAsync("live");
        var live = await d.ListAsync(includeWorkArea: true);
        var root = (await d.Engine.Volumes.FindAsync(d.Volume))!.Mountpoint;
        const string victim = "config/STANDARD_SYNC/setup.json";

        var changed = false;
        var options = d.Restore() with
        {
            VolumeAccess = VolumeAccess.Auto,
            Checkpoint = async (step, ct) =>
            {
                // Every staged file older than the settledness margin when the staging is read back: each is remembered by
                // its stamp, so the victim can only be caught by its stamp (its change time), not because it was too new.
                if (step == "staging-written") await Task.Delay(TimeSpan.FromMilliseconds(300), ct);
                if (step != "swapped") return;
                var file = Path.Combine(root, victim);
                var bytes = File.ReadAllBytes(file);
                // The modification time kept to the nanosecond (touch -r), so only the bytes and the change time differ.
                var reference = Path.Combine(Path.GetTempPath(), TestNames.Unique("times"));
                File.WriteAllText(reference, "");
                ChildProcess.Check("touch", "-r", file, reference);
                bytes[^2] = bytes[^2] == (byte)'x' ? (byte)'y' : (byte)'x';
                using (var stream = new FileStream(file, FileMode.Open, FileAccess.Write)) stream.Write(bytes);
                ChildProcess.Check("touch", "-r", reference, file);
                File.Delete(reference);
                changed = true;
            },
        };
        var error = await Assert.ThrowsAsync<SetupException>(() => new RestoreSetupOperation(d.Engine).RunAsync(options, _log.Add));

        Assert.True(changed);
        Assert.Contains(_log, l => l.StartsWith("Checking the live configuration against the checksums", StringComparison.Ordinal));
        // Every other file taken by its stamp: the victim alone was read again.
        Assert.Contains(_log, l => l.Contains("file(s) unchanged since the staging's read-back", StringComparison.Ordinal) && l.EndsWith(", 1 read again.", StringComparison.Ordinal));
        OneLine.Assert(error, "Reading back the live configuration", "does not match", victim, "The previous configuration was put back and verified; nothing changed (safety snapshot: ");
        Assert.Equal(live, await d.ListAsync(includeWorkArea: true));
    }

    /// <summary>
    /// ExportSetup on the direct path lists the tree, then reads the files several at a time: a file removed, shrunk or grown
    /// in between (here by the test at the "walked" checkpoint, with the writers paused around it as with the jobs database)
    /// is refused in one line naming it; nothing is saved, no partial is left, and the paused writers run again.
    /// </summary>
    [Theory]
    [InlineData("gone")]
    [InlineData("shrunk")]
    [InlineData("grown")]
    public async Task A_live_file_changed_between_ExportSetups_walk_and_its_read_is_one_line_nothing_saved_and_the_writers_run_again(string change)
    {
        await using var d = await ConfigTree.DeployAsync(fixture.Engine, running: true, "live");
        await using var db = await TestDatabase.CreateAsync(d, schedulerRunning: true);
        var direct = DataPath.Direct(d.Engine, VolumeAccess.Auto);
        Assert.True(direct, "the direct path needs root and a local engine (the test runs as root here)");
        var root = (await d.Engine.Volumes.FindAsync(d.Volume))!.Mountpoint;
        const string victim = "config/STANDARD_SYNC/live.json";
        var file = Path.Combine(root, victim);
        Assert.True(File.Exists(file), file);

        var changed = false;
        var options = d.Export() with
        {
            DatabaseContainer = db.Container, SchedulerContainer = db.Scheduler,
            Checkpoint = async (step, ct) =>
            {
                if (step != "walked") return;
                Assert.Equal("paused", await db.StateAsync(d.Server)); // the writers are held while the tree is read
                changed = true;
                if (change == "gone") File.Delete(file);
                else if (change == "shrunk") await File.WriteAllTextAsync(file, "{}", ct);
                else await File.AppendAllTextAsync(file, new string(' ', 4096), ct);
            },
        };
        var error = await Assert.ThrowsAsync<SetupException>(() => new ExportSetupOperation(d.Engine).RunAsync(options, _log.Add));

        Assert.True(changed);
        Assert.Contains(_log, l => l.Contains("directly from volume", StringComparison.Ordinal));
        OneLine.Assert(error, $"'{victim}'", change == "gone" ? "was removed after it was listed" : "bytes when listed and", "changed while it was being read", "nothing was saved", "Run the target again");
        Assert.False(Directory.Exists(d.Setups) && Directory.EnumerateFileSystemEntries(d.Setups).Any(), "something was left under setups/");
        Assert.Equal("running", await db.StateAsync(d.Server));
        Assert.Equal("running", await db.StateAsync(db.Scheduler));
        Assert.Contains(_log, l => l.StartsWith("Writers unpaused (", StringComparison.Ordinal));

        // The next run (nothing changes under it) completes with the tree as it is now.
        var next = await new ExportSetupOperation(d.Engine).RunAsync(options with { Checkpoint = null }, _log.Add);
        Assert.False(next.UpToDate);
        Assert.Equal(change != "gone", File.Exists(Path.Combine(d.Setups, "my-setup", "data", victim)));
    }

    /// <summary>
    /// The setup's disk fills up during ExportSetup (a 256 KiB tmpfs mounted over setups/; the live tree holds a 1 MiB file):
    /// one line naming the folder and the fix; the setup saved before under that name byte for byte intact and still the
    /// one found, no partial left, the live volume unchanged. On both data paths (the write side is the same; the read differs).
    /// </summary>
    [Theory]
    [InlineData(VolumeAccess.Auto)]
    [InlineData(VolumeAccess.Engine)]
    public async Task The_setups_disk_full_during_ExportSetup_is_one_line_and_the_previous_setup_stays(VolumeAccess access)
    {
        await using var d = await ConfigTree.DeployAsync(fixture.Engine, running: true, "old");
        Directory.CreateDirectory(d.Setups);
        var (mounted, mountOutput) = await ChildProcess.RunAsync("mount", "-t", "tmpfs", "-o", "size=256k", "abops-test-full", d.Setups);
        Assert.True(mounted == 0, "mount -t tmpfs (needs root): " + mountOutput);
        try
        {
            await new ExportSetupOperation(d.Engine).RunAsync(d.Export() with { VolumeAccess = access }, _log.Add);
            var oldSetup = TempDirectory.Listing(d.Setups).ToDictionary(p => p, p => File.Exists(Path.Combine(d.Setups, p)) ? File.ReadAllText(Path.Combine(d.Setups, p)) : "dir");
            var big = new PaxTarEntry(TarEntryType.RegularFile, "config/STANDARD_SYNC/big.json") { Mode = (UnixFileMode)0x1A4, DataStream = new MemoryStream(new byte[1 << 20]) };
            using (var tar = ConfigTree.Tar(ConfigTree.Items("new"), extra: [big])) { await d.DeleteAsync("config"); await d.CopyInAsync(tar); }
            var live = await d.ListAsync(includeWorkArea: true);

            var error = await Assert.ThrowsAsync<SetupException>(() => new ExportSetupOperation(d.Engine).RunAsync(d.Export() with { VolumeAccess = access, Overwrite = true }, _log.Add));
            Assert.Contains(_log, l => l.Contains(DataPath.Direct(d.Engine, access) ? "directly from volume" : "through the engine (", StringComparison.Ordinal));
            OneLine.Assert(error, "Cannot write setup 'my-setup'", d.Setups, "No space left on device", "still the one RestoreSetup finds", "Free space");
            var after = TempDirectory.Listing(d.Setups).ToDictionary(p => p, p => File.Exists(Path.Combine(d.Setups, p)) ? File.ReadAllText(Path.Combine(d.Setups, p)) : "dir");
            Assert.Equal(oldSetup, after);
            Assert.Equal(live, await d.ListAsync(includeWorkArea: true));
        }
        finally
        {
            await ChildProcess.RunAsync("umount", d.Setups);
        }
    }

    /// <summary>
    /// The build process killed during ExportSetup on the direct path (SIGKILL in a child process, after its walk created
    /// the partial folder's folders and before the files are read): the old setup byte for byte intact and still the one
    /// found, only a hidden partial beside it, the live volume unchanged; the next export clears it and completes.
    /// </summary>
    [Fact]
    public async Task Build_killed_during_a_direct_ExportSetup_leaves_the_old_setup_intact_and_the_next_run_completes()
    {
        await using var d = await ConfigTree.DeployAsync(fixture.Engine, running: true, "old");
        Assert.True(DataPath.Direct(d.Engine, VolumeAccess.Auto), "the direct path needs root and a local engine (the test runs as root here)");
        await new ExportSetupOperation(d.Engine).RunAsync(d.Export(), _log.Add);
        var oldSetup = await KilledExport.SnapshotFolderAsync(d.Setups);
        await d.SeedAsync("new");
        var live = await d.ListAsync(includeWorkArea: true);

        using (var child = ChildProcess.Start(typeof(Program).Assembly, "export", AirbyteOps.Docker.DockerEngine.DefaultSocket, "my-setup", d.Artifacts, d.Server, d.Volume, "auto", "walked"))
        {
            var seen = new List<string>();
            var reached = await ChildProcess.WaitForLineAsync(child, "AT walked", TimeSpan.FromMinutes(2), seen);
            await ChildProcess.KillAsync(child);
            if (!reached) Assert.Fail("the export never reached its walk: " + string.Join(" | ", seen) + await child.StandardError.ReadToEndAsync());
            Assert.Contains(seen, l => l.Contains("directly from volume", StringComparison.Ordinal));
        }
        await KilledExport.AssertOldSetupKeptAndNextExportCompletesAsync(d, oldSetup, live, _log);
    }
}
