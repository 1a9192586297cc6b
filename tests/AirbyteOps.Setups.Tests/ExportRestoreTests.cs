using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using AirbyteOps.Docker;
using AirbyteOps.Docker.Host;

namespace AirbyteOps.Setups.Tests;

[Collection(EngineCollection.Name)]
public sealed class ExportRestoreTests(EngineFixture fixture)
{
    private readonly List<string> _log = [];
    private void Log(string line) => _log.Add(line);

    /// <summary>
    /// Auto takes the direct path (the volume on this host's filesystem) where it can: a local engine and a root process, as
    /// the tests run here; Engine forces the archive endpoint and helper containers. Both must give back the same tree,
    /// checked through the engine's own view of the volume (d.ListAsync), modes, owners and links included.
    /// </summary>
    [Theory]
    [InlineData(VolumeAccess.Auto)]
    [InlineData(VolumeAccess.Engine)]
    public async Task Export_wipe_restore_gives_back_the_docker_cp_tree_and_secrets_never_leave(VolumeAccess access)
    {
        await using var d = await TestDeployment.CreateAsync(fixture.Engine);
        await d.SeedAsync();
        var original = await d.ListAsync();

        var export = await new ExportSetupOperation(d.Engine).RunAsync(d.Export() with { Archive = true, VolumeAccess = access }, Log);
        Assert.Contains(_log, l => l.Contains(DirectPathExpected(d.Engine, access) ? "directly on this host" : "through the engine (", StringComparison.Ordinal));
        Assert.False(export.UpToDate);
        Assert.Equal(7, export.Secrets);
        var folder = export.Location.Folder!;
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Append(export.Location.Archive!))
        {
            var bytes = File.ReadAllBytes(file);
            if (file.EndsWith(".tar.gz", StringComparison.Ordinal))
            {
                using var gz = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
                using var plain = new MemoryStream();
                gz.CopyTo(plain);
                bytes = plain.ToArray();
            }
            var text = Encoding.UTF8.GetString(bytes);
            foreach (var secret in SampleTree.SecretValues) Assert.DoesNotContain(secret, text);
        }
        Assert.Contains("visible-value", File.ReadAllText(Path.Combine(folder, "data/config/SOURCE_CONNECTION", SampleTree.SourceId + ".json")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(export.Location.SecretsFile));
        Assert.DoesNotContain(_log, l => SampleTree.SecretValues.Any(s => l.Contains(s, StringComparison.Ordinal)));

        await d.WipeAsync();
        await d.CreateServerAsync(running: false, "0.7.1-alpha");
        Assert.Empty(await d.ListAsync());
        _log.Clear();
        var restore = await new RestoreSetupOperation(d.Engine).RunAsync(d.Restore() with { VolumeAccess = access }, Log);
        Assert.Contains(_log, l => l.StartsWith("Data path: ", StringComparison.Ordinal)
            && l.Contains(DirectPathExpected(d.Engine, access) ? "directly on this host" : "through the Docker engine", StringComparison.Ordinal));
        Assert.False(restore.AlreadyIdentical);
        Assert.Equal(original, await d.ListAsync(includeWorkArea: true));
        Assert.Equal(1, restore.CountsByType["SOURCE_CONNECTION"]);

        var again = await new RestoreSetupOperation(d.Engine).RunAsync(d.Restore() with { VolumeAccess = access }, Log);
        Assert.True(again.AlreadyIdentical);
        var reexport = await new ExportSetupOperation(d.Engine).RunAsync(d.Export() with { VolumeAccess = access }, Log);
        Assert.True(reexport.UpToDate);

        // The archive alone (secrets file beside it) restores the same tree.
        await d.WipeAsync();
        await d.CreateServerAsync(running: false, "0.7.1-alpha");
        await new RestoreSetupOperation(d.Engine).RunAsync(d.Restore(export.Location.Archive!) with { VolumeAccess = access }, Log);
        Assert.Equal(original, await d.ListAsync(includeWorkArea: true));
    }

    /// <summary>Where the direct path must be taken: Auto, on Linux, a local engine, a root process (the tests' machine).</summary>
    internal static bool DirectPathExpected(DockerEngine engine, VolumeAccess access) =>
        access == VolumeAccess.Auto && UnixFiles.IsRoot && engine.Endpoint.Scheme == "unix";

    [Fact]
    public async Task Export_from_a_running_server_reads_the_container_and_refuses_silent_overwrite()
    {
        await using var d = await TestDeployment.CreateAsync(fixture.Engine, running: true);
        await d.SeedAsync();
        var first = await new ExportSetupOperation(d.Engine).RunAsync(d.Export() with { VolumeAccess = VolumeAccess.Auto }, Log);
        Assert.Contains(_log, l => l.Contains(DirectPathExpected(d.Engine, VolumeAccess.Auto) ? "directly from volume" : "through the engine (", StringComparison.Ordinal));
        Assert.Equal("container", first.Manifest.Source.Kind);
        Assert.Equal("0.7.1-alpha", first.Manifest.AirbyteVersion);

        await d.SeedAsync(SampleTree.Items("renamed-workspace"));
        var refused = await Assert.ThrowsAsync<SetupException>(() => new ExportSetupOperation(d.Engine).RunAsync(d.Export(), Log));
        Assert.Contains("--overwrite", refused.Message);
        var kept = SetupManifest.Parse(File.ReadAllBytes(Path.Combine(first.Location.Folder!, "setup.json")), "test");
        Assert.True(kept.SameContentAs(first.Manifest));

        var replaced = await new ExportSetupOperation(d.Engine).RunAsync(d.Export() with { Overwrite = true }, Log);
        Assert.False(replaced.UpToDate);
        Assert.Contains("renamed-workspace", Directory.EnumerateFiles(replaced.Location.Folder!, "*.json", SearchOption.AllDirectories).Select(File.ReadAllText).Aggregate("", string.Concat));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(first.Location.Folder!)!, ".*"));
    }

    public static TheoryData<string> BadArchives => ["traversal", "link-escape"];

    [Theory]
    [MemberData(nameof(BadArchives))]
    public async Task A_bad_archive_is_refused_and_nothing_is_written_anywhere(string kind)
    {
        await using var d = await TestDeployment.CreateAsync(fixture.Engine);
        await d.SeedAsync();
        var before = await d.ListAsync(includeWorkArea: true);
        var archive = Path.Combine(d.Artifacts, $"{kind}.tar.gz");
        var items = SampleTree.Items().ToList();
        items.Add(kind == "traversal"
            ? new SampleTree.Item("config/../../escaped.json", TarEntryType.RegularFile, (UnixFileMode)0x1A4, 0, "{}")
            : new SampleTree.Item("config/STANDARD_SYNC/escape", TarEntryType.SymbolicLink, (UnixFileMode)0x1FF, 0, null, "../../../etc"));
        await using (var file = File.Create(archive))
        await using (var gz = new GZipStream(file, CompressionLevel.Fastest))
        {
            SampleTree.Tar(items).CopyTo(gz);
        }
        var artifactsBefore = Directory.GetFileSystemEntries(d.Artifacts, "*", SearchOption.AllDirectories).Order().ToList();

        var error = await Assert.ThrowsAsync<TreeException>(() => new RestoreSetupOperation(d.Engine).RunAsync(d.Restore(archive), Log));
        Assert.Contains(kind == "traversal" ? "climbs out of the tree" : "escapes the tree", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Equal(before, await d.ListAsync(includeWorkArea: true));
        Assert.Equal(artifactsBefore, Directory.GetFileSystemEntries(d.Artifacts, "*", SearchOption.AllDirectories).Order().ToList());
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(d.Artifacts)!, "escaped.json")));
    }

    /// <summary>
    /// Killed on one data path, recovered on the same or the other: both read the same state off the volume (its work area,
    /// plan and markers), so a run that changed path (a forced --volume-access engine) still finishes the killed one.
    /// </summary>
    [Theory]
    [InlineData("staged", VolumeAccess.Auto, VolumeAccess.Auto)]
    [InlineData("swapped", VolumeAccess.Auto, VolumeAccess.Auto)]
    [InlineData("swapped", VolumeAccess.Engine, VolumeAccess.Engine)]
    [InlineData("swapped", VolumeAccess.Auto, VolumeAccess.Engine)]
    [InlineData("swapped", VolumeAccess.Engine, VolumeAccess.Auto)]
    public async Task A_restore_killed_mid_way_is_undone_and_the_next_restore_completes(string checkpoint, VolumeAccess killed, VolumeAccess next)
    {
        await using var d = await TestDeployment.CreateAsync(fixture.Engine);
        await d.SeedAsync(SampleTree.Items("the-setup"));
        var setupTree = await d.ListAsync();
        await new ExportSetupOperation(d.Engine).RunAsync(d.Export(), Log);
        await d.SeedAsync(SampleTree.Items("live-before-restore"));
        var live = await d.ListAsync();
        Assert.NotEqual(setupTree, live);

        using (var process = ChildProcess.Start(typeof(Program).Assembly, "crash-restore", $"{checkpoint}:{killed}", "my-setup", d.Artifacts, d.Server, d.Volume))
        {
            var reached = await ChildProcess.WaitForLineAsync(process, $"AT {checkpoint}", TimeSpan.FromMinutes(2));
            Assert.True(reached, "the restore process never reached " + checkpoint);
            await ChildProcess.KillAsync(process);
        }
        var afterKill = await d.ListAsync(includeWorkArea: true);
        Assert.Contains(afterKill, e => e.Path == ".airbyteops-restore");
        if (checkpoint == "staged") Assert.Equal(live, afterKill.Where(e => !e.Path.StartsWith(".airbyteops-restore", StringComparison.Ordinal)).ToList());

        var result = await new RestoreSetupOperation(d.Engine).RunAsync(d.Restore() with { VolumeAccess = next }, Log);
        Assert.NotNull(result.Recovered);
        Assert.Contains(checkpoint == "staged" ? "before it touched" : "put the previous configuration back", result.Recovered);
        Assert.False(result.AlreadyIdentical);
        Assert.Equal(setupTree, await d.ListAsync(includeWorkArea: true));
    }

    [Fact]
    public async Task An_archive_made_by_gnu_tar_of_a_data_tree_restores()
    {
        await using var d = await TestDeployment.CreateAsync(fixture.Engine);
        var tree = Path.Combine(d.Artifacts, "hand-made", "data");
        SampleTree.WriteFolder(tree, SampleTree.Items());
        ChildProcess.Check("chown", "1000:1000", Path.Combine(tree, "config/SOURCE_CONNECTION", SampleTree.SourceId + ".json"));
        var archive = Path.Combine(d.Artifacts, "data.tar.xz");
        ChildProcess.Check("tar", "-C", Path.Combine(d.Artifacts, "hand-made"), "-cJf", archive, "data");
        await d.SeedAsync(SampleTree.Items("something-else"));

        var result = await new RestoreSetupOperation(d.Engine).RunAsync(d.Restore(archive), Log);
        Assert.False(result.AlreadyIdentical);
        Assert.NotNull(result.Snapshot);

        await using var reference = await TestDeployment.CreateAsync(fixture.Engine, withServer: false);
        await reference.SeedAsync();
        Assert.Equal(await reference.ListAsync(), await d.ListAsync(includeWorkArea: true));
    }

    [Fact]
    public async Task Missing_secrets_are_named_and_nothing_changes_unless_allowed()
    {
        await using var d = await TestDeployment.CreateAsync(fixture.Engine);
        await d.SeedAsync();
        var export = await new ExportSetupOperation(d.Engine).RunAsync(d.Export(), Log);
        File.Delete(export.Location.SecretsFile);
        await d.SeedAsync(SampleTree.Items("changed"));
        var live = await d.ListAsync(includeWorkArea: true);

        var error = await Assert.ThrowsAsync<SetupException>(() => new RestoreSetupOperation(d.Engine).RunAsync(d.Restore(), Log));
        Assert.Contains(SecretVault.PlaceholderPrefix, error.Message);
        Assert.Contains("--allow-missing-secrets", error.Message);
        Assert.Equal(live, await d.ListAsync(includeWorkArea: true));

        var allowed = await new RestoreSetupOperation(d.Engine).RunAsync(d.Restore() with { AllowMissingSecrets = true }, Log);
        Assert.Equal(7, allowed.PlaceholdersLeft.Count);
    }

    [Fact]
    public async Task A_version_mismatch_is_refused_unless_forced_and_a_damaged_setup_is_refused()
    {
        await using var d = await TestDeployment.CreateAsync(fixture.Engine, airbyteVersion: "0.7.1-alpha");
        await d.SeedAsync();
        var export = await new ExportSetupOperation(d.Engine).RunAsync(d.Export(), Log);
        await d.RemoveServerAsync();
        await d.CreateServerAsync(running: false, "0.8.0-alpha");
        await d.SeedAsync(SampleTree.Items("changed"));
        var live = await d.ListAsync(includeWorkArea: true);

        var version = await Assert.ThrowsAsync<SetupException>(() => new RestoreSetupOperation(d.Engine).RunAsync(d.Restore(), Log));
        Assert.Contains("--force-version", version.Message);
        Assert.Equal(live, await d.ListAsync(includeWorkArea: true));

        var workspace = Directory.EnumerateFiles(Path.Combine(export.Location.Folder!, "data/config/STANDARD_WORKSPACE")).Single();
        File.AppendAllText(workspace, " ");
        var damaged = await Assert.ThrowsAsync<SetupException>(() => new RestoreSetupOperation(d.Engine).RunAsync(d.Restore() with { ForceVersion = true }, Log));
        Assert.Contains("checksum mismatch", damaged.Message);
        Assert.Equal(live, await d.ListAsync(includeWorkArea: true));
    }

    /// <summary>
    /// A setup file changed in place (same size, still valid JSON: only its checksum can tell) is refused naming it, on both
    /// data paths, before anything is written (no safety snapshot, no staging area), also when the live tree is already
    /// identical to the setup.
    /// </summary>
    [Theory]
    [InlineData(VolumeAccess.Auto, false)]
    [InlineData(VolumeAccess.Engine, false)]
    [InlineData(VolumeAccess.Auto, true)]
    public async Task A_setup_file_changed_in_place_is_refused_by_its_checksum_before_anything_is_written(VolumeAccess access, bool liveIdentical)
    {
        await using var d = await TestDeployment.CreateAsync(fixture.Engine);
        await d.SeedAsync();
        var export = await new ExportSetupOperation(d.Engine).RunAsync(d.Export() with { VolumeAccess = access }, Log);
        if (!liveIdentical) await d.SeedAsync(SampleTree.Items("changed"));
        var live = await d.ListAsync(includeWorkArea: true);
        const string victim = "config/STANDARD_WORKSPACE/5ae6b09b-fdec-41af-aaf7-7d94cfc33ef6.json";
        var file = Path.Combine(export.Location.Folder!, "data", victim);
        var text = File.ReadAllText(file);
        Assert.Contains("\"name\":\"default\"", text);
        File.WriteAllText(file, text.Replace("\"name\":\"default\"", "\"name\":\"defaulX\"", StringComparison.Ordinal));
        Assert.Equal(text.Length, new FileInfo(file).Length);
        _log.Clear();

        var error = await Assert.ThrowsAsync<SetupException>(() => new RestoreSetupOperation(d.Engine).RunAsync(d.Restore() with { VolumeAccess = access }, Log));

        Assert.EndsWith($"does not match its manifest (0 added, 0 removed, 1 changed (e.g. {victim})): checksum mismatch, the setup is damaged or was edited; nothing was written.", error.Message);
        Assert.Equal(live, await d.ListAsync(includeWorkArea: true));
        Assert.DoesNotContain(_log, l => l.StartsWith("Writing ", StringComparison.Ordinal));
        var snapshots = Path.Combine(d.Artifacts, "snapshots");
        Assert.False(Directory.Exists(snapshots) && Directory.EnumerateFileSystemEntries(snapshots).Any());
    }

    [Fact]
    public async Task Neither_server_nor_volume_is_a_one_line_error()
    {
        var options = new ExportOptions { ConfigRoot = "/data", HelperImage = TestImages.Busybox, SecretsMode = AirbyteOps.Setups.Secrets.SecretsMode.Sidecar, ExtraSecretKeys = [], Archive = false, Overwrite = false, Setup = "x", ServerContainer = $"abops-test-{Guid.NewGuid():N}"[..24], DataVolume = $"abops-test-{Guid.NewGuid():N}"[..24], ArtifactsDirectory = Path.GetTempPath() };
        var error = await Assert.ThrowsAsync<DockerOpsException>(() => new ExportSetupOperation(fixture.Engine).RunAsync(options, Log));
        Assert.Contains("Neither the server container", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }
}
