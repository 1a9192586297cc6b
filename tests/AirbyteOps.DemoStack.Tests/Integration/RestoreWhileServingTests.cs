using System.Text.Json.Nodes;
using AirbyteOps.DemoStack.Tests.Support;
using AirbyteOps.Setups.Export;
using AirbyteOps.Setups.Restore;

namespace AirbyteOps.DemoStack.Tests.Integration;

/// <summary>
/// ExportSetup and RestoreSetup against a running stand-in server: the restored configuration is served on
/// the next request, without restarting the server (it re-reads /data/config on every request, like Airbyte 0.7).
/// </summary>
public sealed class RestoreWhileServingTests : IAsyncLifetime
{
    private ContainerStack _stack = null!;
    private readonly string _artifacts = Path.Combine(Path.GetTempPath(), "abops-test-ds-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly List<string> _log = [];

    public async Task InitializeAsync() => _stack = await ContainerStack.StartAsync();

    [Fact]
    public async Task A_restore_while_the_server_runs_is_served_without_a_restart_and_keeps_no_secret_in_the_setup()
    {
        var password = "pw-" + Guid.NewGuid().ToString("N");
        await _stack.Api.CreateDestinationAsync(ApiClient.PostgresDefinitionId, "kept", ApiClient.PostgresConfig(5432, password));
        var export = await new ExportSetupOperation(_stack.Engine).RunAsync(TestDeployment.ExportOptionsFor("served", _artifacts, _stack.Server, _stack.DataVolume), _log.Add);
        await _stack.Api.CreateDestinationAsync(ApiClient.LocalCsvDefinitionId, "added-after-export", ApiClient.CsvConfig());
        var before = await _stack.Engine.Containers.InspectAsync(_stack.Server);
        Assert.Equal(["added-after-export", "kept"], await DestinationNamesAsync());

        await new RestoreSetupOperation(_stack.Engine).RunAsync(new RestoreOptions
        {
            ConfigRoot = "/data", HelperImage = TestImages.Busybox, ForceVersion = false, AllowMissingSecrets = false, HealthTimeout = TimeSpan.FromMinutes(2),
            Setup = "served", ArtifactsDirectory = _artifacts, ServerContainer = _stack.Server, DataVolume = _stack.DataVolume,
            HealthProbe = _ => _stack.Api.HealthAsync(),
        }, _log.Add);

        Assert.Equal(["kept"], await DestinationNamesAsync());
        var restored = (await _stack.Api.PostAsync("destinations/list", new JsonObject { ["workspaceId"] = ApiClient.DefaultWorkspaceId }))["destinations"]!.AsArray()[0]!;
        // The API masks the secret in reads, as the real 0.7 server does; the restored file holds it byte for byte.
        Assert.Equal("**********", restored["connectionConfiguration"]!["password"]!.GetValue<string>());
        var id = restored["destinationId"]!.GetValue<string>();
        await using (var tar = await _stack.Engine.Containers.CopyOutAsync(_stack.Server, $"/data/config/DESTINATION_CONNECTION/{id}.json"))
        {
            var file = JsonNode.Parse(await AirbyteOps.Trees.TarTree.ReadFileAsync(tar, "the restored destination") ?? throw new InvalidOperationException("no file"))!;
            Assert.Equal(password, file["configuration"]!["password"]!.GetValue<string>());
        }
        // Same container, same start: the server was not restarted to see the restored files.
        var after = await _stack.Engine.Containers.InspectAsync(_stack.Server);
        Assert.Equal(before.Id, after.Id);
        Assert.True(after.IsRunning);
        Assert.Equal(before.StartedAt, after.StartedAt);
        Assert.Equal(1, export.Secrets);
        Assert.DoesNotContain(Directory.EnumerateFiles(export.Location.Folder!, "*", SearchOption.AllDirectories),
            f => File.ReadAllText(f).Contains(password, StringComparison.Ordinal));
        Assert.DoesNotContain(_log, l => l.Contains(password, StringComparison.Ordinal));
    }

    private async Task<List<string>> DestinationNamesAsync()
    {
        var list = await _stack.Api.PostAsync("destinations/list", new JsonObject { ["workspaceId"] = ApiClient.DefaultWorkspaceId });
        return list["destinations"]!.AsArray().Select(d => d!["name"]!.GetValue<string>()).Order(StringComparer.Ordinal).ToList();
    }

    public async Task DisposeAsync()
    {
        await _stack.DisposeAsync();
        if (Directory.Exists(_artifacts)) Directory.Delete(_artifacts, recursive: true);
    }
}
