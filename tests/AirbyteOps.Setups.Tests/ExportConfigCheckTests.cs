using System.Formats.Tar;
using System.Text.Json.Nodes;

namespace AirbyteOps.Setups.Tests;

/// <summary>
/// The config-tree schema check beyond RestoreSetup: ExportSetup refuses to save a live tree the deployment's Airbyte
/// version would not read (unless --skip-config-check), and VerifySetup reports a setup RestoreSetup would refuse, with
/// the restore's own message. The trees are the reconstructed real 0.7 /data tree of airbyte-reference, one file broken.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class ExportConfigCheckTests(EngineFixture fixture)
{
    private readonly List<string> _log = [];

    [Fact]
    public async Task Export_refuses_a_live_tree_the_server_cannot_read_naming_the_file_and_the_rule_and_saves_nothing()
    {
        await using var d = await TestDeployment.CreateAsync(fixture.Engine);
        var sync = await SeedReconstructedAsync(d, tree => BreakSync(tree));

        var error = await Assert.ThrowsAsync<SetupException>(() => new ExportSetupOperation(d.Engine).RunAsync(d.Export() with { SkipConfigCheck = false }, _log.Add));

        Assert.StartsWith($"Refusing to export volume '{d.Volume}' /data: {sync} is invalid under Airbyte v0.7.1-alpha's StandardSync schema", error.Message, StringComparison.Ordinal);
        Assert.Contains("syncMode", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("or pass --skip-config-check to save it as it is.", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.False(Directory.Exists(d.Setups) && Directory.EnumerateFileSystemEntries(d.Setups).Any(), "something was left under setups/");
    }

    [Fact]
    public async Task Export_refuses_a_stray_file_in_a_config_folder()
    {
        await using var d = await TestDeployment.CreateAsync(fixture.Engine);
        await SeedReconstructedAsync(d, tree => File.WriteAllText(Path.Combine(tree, "config", "STANDARD_SYNC", "notes.txt"), "x"));

        var error = await Assert.ThrowsAsync<SetupException>(() => new ExportSetupOperation(d.Engine).RunAsync(d.Export() with { SkipConfigCheck = false }, _log.Add));

        Assert.StartsWith($"Refusing to export volume '{d.Volume}' /data: config/STANDARD_SYNC/notes.txt is not an <id>.json file, and Airbyte 0.7.1-alpha fails every read of STANDARD_SYNC", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// With a jobs database the tree's check runs beside the dump (after the writers run again): a refusal there is the error
    /// told, the dump it stopped leaves nothing, the writers run as before and no session of the export is left in the database.
    /// </summary>
    [Fact]
    public async Task With_a_jobs_database_a_refused_tree_checked_beside_the_dump_saves_nothing_and_leaves_every_container_as_it_was()
    {
        await using var d = await TestDeployment.CreateAsync(fixture.Engine, running: true);
        await using var db = await TestDatabase.CreateAsync(d);
        await db.InsertSyncJobAsync("c1", """{"sync": {}}""", """{"sync": {}}""");
        await SeedReconstructedAsync(d, tree => File.WriteAllText(Path.Combine(tree, "config", "STANDARD_SYNC", "notes.txt"), "x"));

        var error = await Assert.ThrowsAsync<SetupException>(() => new ExportSetupOperation(d.Engine).RunAsync(
            d.Export() with { SkipConfigCheck = false, DatabaseContainer = db.Container, SchedulerContainer = db.Scheduler }, _log.Add));

        Assert.Contains("config/STANDARD_SYNC/notes.txt is not an <id>.json file", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("Refusing to export container ", error.Message, StringComparison.Ordinal);
        // The check came after the writers' release, beside the dump (begun while they were held, beside the tree's read).
        var released = _log.FindIndex(l => l.StartsWith($"Writers unpaused ({d.Server}", StringComparison.Ordinal));
        var dumping = _log.FindIndex(l => l.StartsWith("Dumping database 'airbyte'", StringComparison.Ordinal));
        Assert.True(dumping >= 0 && dumping < released, string.Join('\n', _log));
        Assert.Equal("running", await db.StateAsync(d.Server));
        Assert.Equal("running", await db.StateAsync(db.Scheduler));
        Assert.False(Directory.Exists(d.Setups) && Directory.EnumerateFileSystemEntries(d.Setups).Any(), "something was left under setups/");
        const string OpenTransactions = "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND xact_start IS NOT NULL AND pid <> pg_backend_pid()";
        var open = await db.SqlAsync(OpenTransactions);
        for (var i = 0; i < 50 && open != "0"; i++)
        {
            await Task.Delay(100);
            open = await db.SqlAsync(OpenTransactions);
        }
        Assert.Equal("0", open);
    }

    [Fact]
    public async Task A_valid_tree_exports_checked_its_secrets_put_back_for_the_check_and_skip_saves_a_broken_one_that_verify_then_refuses()
    {
        await using var d = await TestDeployment.CreateAsync(fixture.Engine);
        await SeedReconstructedAsync(d, _ => { });
        var valid = await new ExportSetupOperation(d.Engine).RunAsync(d.Export("valid") with { SkipConfigCheck = false }, _log.Add);
        // The destination's password went to the sidecar; the check read the file with it put back (the schema requires it).
        Assert.True(valid.Secrets > 0);
        Assert.Contains(_log, l => l.StartsWith($"{ReferenceFiles} config file(s) valid under Airbyte v0.7.1-alpha's schemas", StringComparison.Ordinal));

        var sync = await SeedReconstructedAsync(d, tree => BreakSync(tree));
        _log.Clear();
        var skipped = await new ExportSetupOperation(d.Engine).RunAsync(d.Export("broken") with { SkipConfigCheck = true }, _log.Add);
        Assert.Contains(_log, l => l.StartsWith("--skip-config-check:", StringComparison.Ordinal));
        Assert.Contains(_log, l => l.StartsWith($"Verified {skipped.Location.Folder}: ", StringComparison.Ordinal));

        // VerifySetup without the flag reports what RestoreSetup would say, with the setup's recorded version.
        var error = await Assert.ThrowsAsync<SetupException>(() => new VerifySetupOperation().RunAsync(
            new VerifyOptions { Setup = skipped.Location.Folder!, ArtifactsDirectory = d.Artifacts }, _ => { }));
        Assert.StartsWith($"Refusing setup 'broken': {sync} is invalid under Airbyte v0.7.1-alpha's StandardSync schema", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("Nothing was written.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_checks_against_the_version_it_is_given_else_the_setup_s()
    {
        await using var d = await TestDeployment.CreateAsync(fixture.Engine);
        await SeedReconstructedAsync(d, _ => { });
        var export = await new ExportSetupOperation(d.Engine).RunAsync(d.Export("valid") with { SkipConfigCheck = false }, _log.Add);
        var options = new VerifyOptions { Setup = export.Location.Folder!, ArtifactsDirectory = d.Artifacts };

        var lines = new List<string>();
        await new VerifySetupOperation().RunAsync(options, lines.Add);
        Assert.Contains(lines, l => l.StartsWith($"{ReferenceFiles} config file(s) valid under Airbyte v0.7.1-alpha's schemas", StringComparison.Ordinal));

        // The 0.7 tree's connections carry syncMode/schema, which 0.27.3's StandardSync does not take.
        var error = await Assert.ThrowsAsync<SetupException>(() => new VerifySetupOperation().RunAsync(options with { AirbyteVersion = "0.27.3-alpha" }, _ => { }));
        Assert.Contains("Airbyte v0.27.3-alpha's", error.Message, StringComparison.Ordinal);
    }

    private static int ReferenceFiles => Directory.GetFiles(Path.Combine(AirbyteReference.DataTreeReconstructed, "config"), "*.json", SearchOption.AllDirectories).Length;

    /// <summary>The reconstructed tree, edited in a temporary copy, put into the deployment's volume; returns the STANDARD_SYNC file BreakSync edits.</summary>
    private static async Task<string> SeedReconstructedAsync(TestDeployment d, Action<string> edit)
    {
        using var copy = new TempDirectory();
        TempDirectory.CopyTree(AirbyteReference.DataTreeReconstructed, copy.Path);
        edit(copy.Path);
        await d.DeleteAsync("config");
        using var tar = new MemoryStream();
        await TarFile.CreateFromDirectoryAsync(copy.Path, tar, includeBaseDirectory: false);
        tar.Position = 0;
        await d.CopyInAsync(tar);
        return "config/STANDARD_SYNC/" + Path.GetFileName(FirstSync(copy.Path));
    }

    private static string FirstSync(string tree) =>
        Directory.GetFiles(Path.Combine(tree, "config", "STANDARD_SYNC"), "*.json").Order(StringComparer.Ordinal).First();

    private static void BreakSync(string tree)
    {
        var file = FirstSync(tree);
        var sync = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
        Assert.True(sync.Remove("syncMode"));
        File.WriteAllText(file, sync.ToJsonString());
    }
}
