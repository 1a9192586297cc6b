using System.Security.Cryptography;
using System.Text.Json.Nodes;
using AirbyteOps.DemoStack.Tests.Support;
using AirbyteOps.Setups;
using AirbyteOps.Setups.Export;
using AirbyteOps.Setups.Restore;
using AirbyteOps.Setups.Secrets;
using AirbyteOps.Trees;

namespace AirbyteOps.DemoStack.Tests.Integration;

/// <summary>
/// The reconstructed real /data tree of Airbyte 0.7 (airbyte-reference/data-tree-reconstructed/tutorial-0.7) restored into
/// the running demo stack with the schema check on: accepted, served, and exported back byte for byte; the same tree with
/// one file made invalid is refused before anything is written.
/// </summary>
public sealed class ReconstructedTreeRestoreTests : IAsyncLifetime
{
    private ContainerStack _stack = null!;
    private readonly TempDirectory _artifacts = new();
    private readonly List<string> _log = [];

    public async Task InitializeAsync() => _stack = await ContainerStack.StartAsync();

    [Fact]
    public async Task The_real_tree_restores_is_served_and_exports_back_byte_identical()
    {
        var tree = Path.Combine(_artifacts.Path, "tutorial-0.7");
        TempDirectory.CopyTree(AirbyteReference.DataTreeReconstructed, tree);

        await new RestoreSetupOperation(_stack.Engine).RunAsync(Restore(tree), _log.Add);

        Assert.Contains(_log, l => l.EndsWith("config file(s) valid under Airbyte v0.7.1-alpha's schemas (the server runs 0.7.1-alpha); nothing stray in config/<TYPE>/.", StringComparison.Ordinal));
        Assert.True(await _stack.Api.HealthAsync());
        var connections = await _stack.Api.PostAsync("connections/list", new JsonObject { ["workspaceId"] = ApiClient.DefaultWorkspaceId });
        var expectedConnections = Directory.GetFiles(Path.Combine(tree, "config", "STANDARD_SYNC")).Select(f => Path.GetFileNameWithoutExtension(f)).Order(StringComparer.Ordinal);
        Assert.Equal(expectedConnections, connections["connections"]!.AsArray().Select(c => c!["connectionId"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        var sources = await _stack.Api.PostAsync("sources/list", new JsonObject { ["workspaceId"] = ApiClient.DefaultWorkspaceId });
        Assert.Equal(2, sources["sources"]!.AsArray().Count);

        var export = await new ExportSetupOperation(_stack.Engine).RunAsync(
            TestDeployment.ExportOptionsFor("round-trip", _artifacts.Path, _stack.Server, _stack.DataVolume) with { SecretsMode = SecretsMode.Inline }, _log.Add);
        Assert.Equal(Files(tree), Files(Path.Combine(export.Location.Folder!, "data")));
    }

    [Fact]
    public async Task The_real_tree_with_one_invalid_file_is_refused_and_nothing_changes()
    {
        var tree = Path.Combine(_artifacts.Path, "broken");
        TempDirectory.CopyTree(AirbyteReference.DataTreeReconstructed, tree);
        var sync = Directory.GetFiles(Path.Combine(tree, "config", "STANDARD_SYNC")).Order(StringComparer.Ordinal).First();
        var json = JsonNode.Parse(File.ReadAllText(sync))!.AsObject();
        json.Remove("syncMode");
        File.WriteAllText(sync, json.ToJsonString());
        var before = await LiveAsync();

        var error = await Assert.ThrowsAsync<SetupException>(() => new RestoreSetupOperation(_stack.Engine).RunAsync(Restore(tree), _log.Add));

        Assert.StartsWith($"Refusing setup 'broken': config/STANDARD_SYNC/{Path.GetFileName(sync)} is invalid under Airbyte v0.7.1-alpha's StandardSync schema", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await LiveAsync());
        Assert.False(Directory.Exists(Path.Combine(_artifacts.Path, "snapshots")) && Directory.EnumerateFileSystemEntries(Path.Combine(_artifacts.Path, "snapshots")).Any());
        Assert.True(await _stack.Api.HealthAsync());
    }

    private RestoreOptions Restore(string setup) =>
        TestDeployment.RestoreOptionsFor(setup, _artifacts.Path, _stack.Server, _stack.DataVolume) with
        {
            SkipConfigCheck = false, HealthProbe = _ => _stack.Api.HealthAsync(),
        };

    /// <summary>Relative path → SHA-256 of every file under a folder.</summary>
    private static SortedDictionary<string, string> Files(string root) => new(
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).ToDictionary(
            f => Path.GetRelativePath(root, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f)))), StringComparer.Ordinal);

    /// <summary>Every entry of the live /data with its kind and, for files, its SHA-256.</summary>
    private async Task<List<string>> LiveAsync()
    {
        var entries = new List<string>();
        await using var tar = await _stack.Engine.Containers.CopyOutAsync(_stack.Server, "/data");
        await TarTree.ReadAsync(tar, "live /data", async (entry, body) =>
        {
            var hash = "";
            if (body is not null)
            {
                using var memory = new MemoryStream();
                await body.CopyToAsync(memory);
                hash = Convert.ToHexString(SHA256.HashData(memory.ToArray()));
            }
            entries.Add($"{entry.Kind} {entry.Name} {hash}");
        });
        entries.Sort(StringComparer.Ordinal);
        return entries;
    }

    public async Task DisposeAsync()
    {
        await _stack.DisposeAsync();
        _artifacts.Dispose();
    }
}
