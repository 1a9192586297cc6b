using System.Text.Json.Nodes;
using AirbyteOps.Setups.Schemas;

namespace AirbyteOps.Setups.Tests;

/// <summary>
/// RestoreSetup's check of a tree as the target server reads it, with Airbyte's own schemas (embedded in the product) and
/// the real trees of airbyte-reference: the reconstructed 0.7 /data tree, and the seeds of every release.
/// </summary>
public sealed class ConfigTreeValidationTests
{
    private readonly List<string> _log = [];

    [Fact]
    public async Task A_config_file_grown_huge_after_the_checksum_pass_is_refused_after_reading_no_more_than_a_config_file_may_hold()
    {
        using var dir = new TempDirectory();
        TempDirectory.CopyTree(AirbyteReference.ConfigSeed("v0.7.1-alpha"), Path.Combine(dir.Path, "config"));
        var content = await SetupContent.LoadAsync(new FolderTreeReader(dir.Path), null, false);
        var grown = Directory.GetFiles(Path.Combine(dir.Path, "config", "STANDARD_WORKSPACE"), "*.json").Order(StringComparer.Ordinal).First();
        // A terabyte (sparse: no disk used): read whole, it would not fit in memory.
        using (var file = File.OpenWrite(grown)) file.SetLength(1L << 40);

        var error = await Assert.ThrowsAsync<SetupException>(() => ConfigTreeValidator.ValidateAsync(content, "0.7.1-alpha", false, "seed", _log.Add, default));

        Assert.Contains($"config/STANDARD_WORKSPACE/{Path.GetFileName(grown)} in the setup folder", error.Message, StringComparison.Ordinal);
        Assert.Contains("changed since its checksum was checked", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0.7.1-alpha", "v0.7.1-alpha")]
    [InlineData("v0.7.1-alpha", "v0.7.1-alpha")]
    [InlineData("0.10.3-alpha", "v0.7.1-alpha")]
    [InlineData("0.12.0-alpha", "v0.12.0-alpha")]
    [InlineData("0.19.2-alpha", "v0.12.0-alpha")]
    [InlineData("0.27.2-alpha", "v0.20.0-alpha")]
    [InlineData("0.27.3-alpha", "v0.27.3-alpha")]
    [InlineData("0.30.0-alpha", "v0.27.3-alpha")]
    public void The_schemas_are_the_nearest_release_at_or_below_the_deployment(string version, string release) =>
        Assert.Equal(release, AirbyteConfigSchemas.For(version)!.Release);

    [Theory]
    [InlineData(null)]
    [InlineData("latest")]
    [InlineData("0.6.9-alpha")]
    public void No_schemas_for_an_unknown_or_older_version(string? version) => Assert.Null(AirbyteConfigSchemas.For(version));

    [Fact]
    public async Task The_reconstructed_real_0_7_tree_validates()
    {
        var tree = AirbyteReference.DataTreeReconstructed;
        var content = await SetupContent.LoadAsync(new FolderTreeReader(tree), null, false);

        await ConfigTreeValidator.ValidateAsync(content, "0.7.1-alpha", false, "tutorial-0.7", _log.Add, default);

        var files = Directory.GetFiles(Path.Combine(tree, "config"), "*.json", SearchOption.AllDirectories).Length;
        Assert.True(files > 30);
        Assert.Equal($"{files} config file(s) valid under Airbyte v0.7.1-alpha's schemas (the server runs 0.7.1-alpha); nothing stray in config/<TYPE>/.", Assert.Single(_log));
    }

    [Fact]
    public async Task A_config_file_changed_after_the_checksum_pass_is_refused_not_judged_on_its_new_bytes()
    {
        using var dir = new TempDirectory();
        TempDirectory.CopyTree(AirbyteReference.ConfigSeed("v0.7.1-alpha"), Path.Combine(dir.Path, "config"));
        var content = await SetupContent.LoadAsync(new FolderTreeReader(dir.Path), null, false);
        var changed = Directory.GetFiles(Path.Combine(dir.Path, "config", "STANDARD_WORKSPACE"), "*.json").Order(StringComparer.Ordinal).First();
        // Still JSON and still valid: only the checksum tells it is not the file that was checked.
        File.AppendAllText(changed, "\n");

        var error = await Assert.ThrowsAsync<SetupException>(() => ConfigTreeValidator.ValidateAsync(content, "0.7.1-alpha", false, "seed", _log.Add, default));

        Assert.Contains($"config/STANDARD_WORKSPACE/{Path.GetFileName(changed)} in the setup folder", error.Message, StringComparison.Ordinal);
        Assert.Contains("changed since its checksum was checked", error.Message, StringComparison.Ordinal);
        Assert.Empty(_log);
    }

    [Theory]
    [InlineData("v0.7.1-alpha")]
    [InlineData("v0.12.0-alpha")]
    [InlineData("v0.20.0-alpha")]
    [InlineData("v0.27.3-alpha")]
    public async Task Every_release_s_own_seed_validates_under_its_schemas(string release)
    {
        using var dir = new TempDirectory();
        TempDirectory.CopyTree(AirbyteReference.ConfigSeed(release), Path.Combine(dir.Path, "config"));
        var content = await SetupContent.LoadAsync(new FolderTreeReader(dir.Path), null, false);

        await ConfigTreeValidator.ValidateAsync(content, release, false, "seed", _log.Add, default);

        Assert.Contains($"valid under Airbyte {release}'s schemas", Assert.Single(_log), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_connection_without_syncMode_is_refused_in_one_line_naming_the_file_and_the_rule()
    {
        using var dir = ReconstructedCopy(out var syncFile);
        var sync = JsonNode.Parse(File.ReadAllText(syncFile))!.AsObject();
        Assert.True(sync.Remove("syncMode"));
        File.WriteAllText(syncFile, sync.ToJsonString());

        var error = await RefusedAsync(dir.Path, "0.7.1-alpha");

        var name = Path.GetFileName(syncFile);
        Assert.StartsWith($"Refusing setup 'bad': config/STANDARD_SYNC/{name} is invalid under Airbyte v0.7.1-alpha's StandardSync schema", error.Message, StringComparison.Ordinal);
        Assert.Contains("syncMode", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("Nothing was written.", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task A_file_the_0_7_schemas_accept_is_refused_for_a_0_27_server_and_the_other_way_round()
    {
        // 0.7.1's workspace requires onboardingComplete; the tree's STANDARD_SYNC carries 0.7's syncMode/schema, which
        // 0.27.3's StandardSync (catalog, no syncMode) refuses: the schemas of the target version decide.
        using var dir = ReconstructedCopy(out _);
        var error = await RefusedAsync(dir.Path, "0.27.3-alpha");
        Assert.Contains("Airbyte v0.27.3-alpha's", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("Refusing setup 'bad': config/", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("notes.txt", "is not an <id>.json file")]
    [InlineData("5ae6b09b-fdec-41af-aaf7-7d94cfc33ef6.json.bak", "is not an <id>.json file")]
    [InlineData("not-a-uuid.json", "is not an <id>.json file")]
    public async Task A_stray_file_in_a_config_folder_is_refused(string name, string rule)
    {
        using var dir = ReconstructedCopy(out var syncFile);
        File.WriteAllText(Path.Combine(Path.GetDirectoryName(syncFile)!, name), "{}");

        var error = await RefusedAsync(dir.Path, "0.7.1-alpha");

        Assert.Equal($"Refusing setup 'bad': config/STANDARD_SYNC/{name} {rule}, and Airbyte 0.7.1-alpha fails every read of STANDARD_SYNC with a stray file in config/STANDARD_SYNC/ (remove it from the setup). Nothing was written.", error.Message);
    }

    [Fact]
    public async Task A_file_that_is_not_json_is_refused()
    {
        using var dir = ReconstructedCopy(out var syncFile);
        File.WriteAllText(syncFile, "{\"syncMode\": ");
        var error = await RefusedAsync(dir.Path, "0.7.1-alpha");
        Assert.StartsWith($"Refusing setup 'bad': config/STANDARD_SYNC/{Path.GetFileName(syncFile)} is not JSON (", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Files_outside_the_release_s_config_folders_are_not_judged_and_skipping_is_said()
    {
        using var dir = ReconstructedCopy(out _);
        Directory.CreateDirectory(Path.Combine(dir.Path, "config", "NOT_A_TYPE"));
        File.WriteAllText(Path.Combine(dir.Path, "config", "NOT_A_TYPE", "anything.txt"), "x");
        File.WriteAllText(Path.Combine(dir.Path, "notes.txt"), "x");
        var content = await SetupContent.LoadAsync(new FolderTreeReader(dir.Path), null, false);
        await ConfigTreeValidator.ValidateAsync(content, "0.7.1-alpha", false, "ok", _log.Add, default);
        Assert.Contains("valid under Airbyte v0.7.1-alpha's schemas", _log[^1], StringComparison.Ordinal);

        File.WriteAllText(Path.Combine(dir.Path, "config", "STANDARD_SYNC", "notes.txt"), "x");
        var stray = await SetupContent.LoadAsync(new FolderTreeReader(dir.Path), null, false);
        await ConfigTreeValidator.ValidateAsync(stray, "0.7.1-alpha", true, "skipped", _log.Add, default);
        Assert.StartsWith("--skip-config-check:", _log[^1], StringComparison.Ordinal);
        await ConfigTreeValidator.ValidateAsync(stray, null, false, "unknown", _log.Add, default);
        Assert.StartsWith("Config files not checked against Airbyte's schemas: neither the deployment nor the setup says its Airbyte version", _log[^1], StringComparison.Ordinal);
    }

    private static TempDirectory ReconstructedCopy(out string syncFile)
    {
        var dir = new TempDirectory();
        TempDirectory.CopyTree(AirbyteReference.DataTreeReconstructed, dir.Path);
        syncFile = Directory.GetFiles(Path.Combine(dir.Path, "config", "STANDARD_SYNC"), "*.json").Order(StringComparer.Ordinal).First();
        return dir;
    }

    private static async Task<SetupException> RefusedAsync(string tree, string version)
    {
        var content = await SetupContent.LoadAsync(new FolderTreeReader(tree), null, false);
        return await Assert.ThrowsAsync<SetupException>(() => ConfigTreeValidator.ValidateAsync(content, version, false, "bad", _ => { }, default));
    }
}
