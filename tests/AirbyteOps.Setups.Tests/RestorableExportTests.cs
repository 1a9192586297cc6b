using System.Formats.Tar;

namespace AirbyteOps.Setups.Tests;

/// <summary>
/// Issue 12: ExportSetup and RestoreSetup share one judgement of a tree. What the export writes, the restore accepts
/// (VerifySetup proves it without a deployment); what the restore would refuse, the export refuses first, naming it.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class RestorableExportTests(EngineFixture fixture)
{
    private readonly List<string> _log = [];
    private void Log(string line) => _log.Add(line);

    [Fact]
    public async Task An_absolute_link_in_the_live_tree_is_refused_at_export_naming_it_never_saved_for_restore_to_refuse()
    {
        await using var d = await TestDeployment.CreateAsync(fixture.Engine);
        var items = SampleTree.Items().ToList();
        items.Add(new SampleTree.Item("config/WEIRD", TarEntryType.Directory, (UnixFileMode)0x1ED));
        items.Add(new SampleTree.Item("config/WEIRD/escape-link", TarEntryType.SymbolicLink, (UnixFileMode)0x1FF, 0, null, "/etc/passwd"));
        await d.SeedAsync(items);

        var error = await Assert.ThrowsAsync<TreeException>(() => new ExportSetupOperation(d.Engine).RunAsync(d.Export(), Log));
        Assert.StartsWith("Refusing to export", error.Message);
        Assert.Contains("'config/WEIRD/escape-link'", error.Message);
        Assert.Contains("absolute path '/etc/passwd'", error.Message);
        Assert.Contains("Remove /data/config/WEIRD/escape-link", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        // Nothing that looks like a setup (or a leftover partial) was written.
        Assert.False(Directory.Exists(d.Setups) && Directory.EnumerateFileSystemEntries(d.Setups).Any());
    }

    [Fact]
    public async Task A_file_name_with_a_newline_is_exported_verified_and_restored_byte_for_byte()
    {
        await using var d = await TestDeployment.CreateAsync(fixture.Engine);
        var items = SampleTree.Items().ToList();
        items.Add(new SampleTree.Item("config/STANDARD_SYNC/two\nlines.json", TarEntryType.RegularFile, (UnixFileMode)0x1A4, 0, "{\"n\":1}"));
        items.Add(new SampleTree.Item("config/tab\there", TarEntryType.SymbolicLink, (UnixFileMode)0x1FF, 0, null, "STANDARD_SYNC/two\nlines.json"));
        await d.SeedAsync(items);
        var original = await d.ListAsync();
        Assert.Contains(original, e => e.Path == "config/STANDARD_SYNC/two\nlines.json");

        var export = await new ExportSetupOperation(d.Engine).RunAsync(d.Export() with { Archive = true }, Log);
        Assert.Contains(export.Manifest.Entries, e => e.Path == "config/STANDARD_SYNC/two\nlines.json");
        // ExportSetup ends by verifying what it wrote, folder and archive.
        Assert.Contains(_log, l => l.StartsWith($"Verified {export.Location.Folder}: ", StringComparison.Ordinal) && l.Contains("is restorable", StringComparison.Ordinal));
        Assert.Contains(_log, l => l.StartsWith($"Verified {export.Location.Archive}: ", StringComparison.Ordinal));

        foreach (var setup in new[] { export.Location.Folder!, export.Location.Archive! })
        {
            await d.WipeAsync();
            await d.CreateServerAsync(running: false, TestDeployment.AirbyteVersion);
            await new RestoreSetupOperation(d.Engine).RunAsync(d.Restore(setup), Log);
            Assert.Equal(original, await d.ListAsync(includeWorkArea: true));
        }
    }

    [Fact]
    public async Task VerifySetup_counts_what_a_restore_would_write_and_refuses_what_the_restore_would_refuse()
    {
        await using var d = await TestDeployment.CreateAsync(fixture.Engine);
        await d.SeedAsync();
        var export = await new ExportSetupOperation(d.Engine).RunAsync(d.Export(), Log);
        // The sample tree is made up (see TestDeployment.ExportOptionsFor); ExportConfigCheckTests verify with the schema check on.
        var options = new VerifyOptions { Setup = "my-setup", ArtifactsDirectory = d.Artifacts, SkipConfigCheck = true };

        _log.Clear();
        var verified = await new VerifySetupOperation().RunAsync(options, Log);
        Assert.Equal(5, verified.Files);
        Assert.Equal(6, verified.Directories);
        Assert.Equal(1, verified.SymbolicLinks);
        Assert.Equal(0, verified.HardLinks);
        Assert.Equal(7, verified.Secrets);
        Assert.Equal(1, verified.FormatVersion);
        Assert.Equal(1, verified.CountsByType["SOURCE_CONNECTION"]);
        Assert.Contains(_log, l => l.Contains("all 7 placeholder(s) have their value", StringComparison.Ordinal));
        Assert.Equal("Setup 'my-setup' is restorable: RestoreSetup would accept it as it is.", _log[^1]);

        // Secrets missing: the same refusal RestoreSetup gives.
        var secrets = export.Location.SecretsFile;
        File.Move(secrets, secrets + ".away");
        var missing = await Assert.ThrowsAsync<SetupException>(() => new VerifySetupOperation().RunAsync(options, Log));
        Assert.Contains("needs 7 secret value(s)", missing.Message);
        File.Move(secrets + ".away", secrets);

        // A damaged file: the checksum refusal.
        var workspace = Directory.EnumerateFiles(Path.Combine(export.Location.Folder!, "data/config/STANDARD_WORKSPACE")).Single();
        File.AppendAllText(workspace, " ");
        var damaged = await Assert.ThrowsAsync<SetupException>(() => new VerifySetupOperation().RunAsync(options, Log));
        Assert.Contains("checksum mismatch", damaged.Message);
        var restoreSays = await Assert.ThrowsAsync<SetupException>(() => new RestoreSetupOperation(d.Engine).RunAsync(d.Restore(), Log));
        Assert.Equal(restoreSays.Message, damaged.Message);
    }
}
