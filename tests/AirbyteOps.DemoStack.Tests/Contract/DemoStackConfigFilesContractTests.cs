using System.Text.Json;
using System.Text.Json.Nodes;
using AirbyteOps.DemoStack.Tests.Support;

namespace AirbyteOps.DemoStack.Tests.Contract;

/// <summary>
/// Every config file the demo stack holds or writes, checked against Airbyte v0.7.1-alpha's own config schemas
/// (<c>airbyte-reference/config-types/v0.7.1-alpha</c>), which the real server applies to each file it reads; and its
/// seed against the real <c>config-seed/v0.7.1-alpha</c>.
/// </summary>
public sealed class DemoStackConfigFilesContractTests
{
    private static readonly ConfigTypeSchemas Schemas = ConfigTypeSchemas.For(AirbyteReference.V071);

    [Fact]
    public void The_checker_accepts_the_real_seed_and_the_reconstructed_real_tree_and_refuses_what_0_7_1_refuses()
    {
        Assert.Empty(Schemas.CheckTree(AirbyteReference.ConfigSeed(AirbyteReference.V071)));
        Assert.Empty(Schemas.CheckTree(Path.Combine(AirbyteReference.DataTreeReconstructed, "config")));

        // What issue 10 found in the old demo stack's files: a workspace without onboardingComplete and with tombstone,
        // a connection without syncMode; and a field that is not a uuid.
        using var workspace = JsonDocument.Parse("""{"workspaceId":"5ae6b09b-fdec-41af-aaf7-7d94cfc33ef6","name":"default","slug":"default","initialSetupComplete":false,"tombstone":false}""");
        var workspaceProblems = Schemas.Check("workspace", "StandardWorkspace.yaml", workspace.RootElement);
        Assert.Contains(workspaceProblems, p => p.Contains("onboardingComplete", StringComparison.Ordinal));
        Assert.Contains(workspaceProblems, p => p.Contains("tombstone", StringComparison.Ordinal));
        using var sync = JsonDocument.Parse("""{"sourceId":"not-a-uuid","destinationId":"5ae6b09b-fdec-41af-aaf7-7d94cfc33ef6","name":"x","schema":{"streams":[]}}""");
        var syncProblems = Schemas.Check("sync", "StandardSync.yaml", sync.RootElement);
        Assert.Contains(syncProblems, p => p.Contains("syncMode", StringComparison.Ordinal));
        Assert.Contains(syncProblems, p => p.Contains("/sourceId", StringComparison.Ordinal));
    }

    [Fact]
    public void The_seed_is_valid_and_holds_the_definitions_ids_and_images_of_the_real_0_7_1_seed()
    {
        Assert.Empty(Schemas.CheckTree(DemoStackPaths.SeedConfig));
        var real = Files(AirbyteReference.ConfigSeed(AirbyteReference.V071));
        var ours = Files(DemoStackPaths.SeedConfig);
        Assert.Equal(real.Keys.Order(StringComparer.Ordinal), ours.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, content) in real)
            Assert.True(JsonNode.DeepEquals(content, ours[name]), $"{name}: the demo stack's seed has {ours[name]!.ToJsonString()}, the real 0.7.1 seed {content!.ToJsonString()}");
        Assert.Equal("exchangeratesapi.io", ours[$"STANDARD_SOURCE_DEFINITION/{ApiClient.ExchangeRatesDefinitionId}.json"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Every_file_the_API_writes_for_the_tutorials_sources_destinations_and_connections_is_valid_under_0_7_1()
    {
        await using var stack = await InProcessStack.StartAsync();
        // The tutorial's onboarding, then its two connections as CreateConnections makes them (syncMode + syncSchema).
        await stack.Api.PostAsync("workspaces/update", new JsonObject
        {
            ["workspaceId"] = ApiClient.DefaultWorkspaceId, ["email"] = "someone@example.com", ["initialSetupComplete"] = true,
            ["anonymousDataCollection"] = false, ["news"] = false, ["securityUpdates"] = false,
        });
        var rates = await stack.Api.CreateSourceAsync(ApiClient.ExchangeRatesDefinitionId, "exchange-rate", ApiClient.ExchangeRatesConfig());
        var csv = await stack.Api.CreateDestinationAsync(ApiClient.LocalCsvDefinitionId, "local-csv", ApiClient.CsvConfig());
        var covid = await stack.Api.CreateSourceAsync(ApiClient.FileDefinitionId, "covid", ApiClient.CovidFileConfig());
        var postgres = await stack.Api.CreateDestinationAsync(ApiClient.PostgresDefinitionId, "postgres", ApiClient.PostgresConfig(3000, "pw-in-file"));
        foreach (var (source, destination, name) in new[] { (rates, csv, "exchange-rate"), (covid, postgres, "covid") })
        {
            var schema = (await stack.Api.PostAsync("sources/discover_schema", new JsonObject { ["sourceId"] = source }))["schema"]!.DeepClone();
            await stack.Api.PostAsync("connections/create", new JsonObject
            {
                ["name"] = name, ["sourceId"] = source, ["destinationId"] = destination,
                ["syncMode"] = "full_refresh", ["syncSchema"] = schema, ["status"] = "active",
            });
        }
        // A scheduled connection too: its STANDARD_SYNC_SCHEDULE carries a schedule object.
        await stack.Api.PostAsync("connections/create", new JsonObject
        {
            ["name"] = "hourly", ["sourceId"] = rates, ["destinationId"] = csv, ["syncMode"] = "full_refresh", ["status"] = "inactive",
            ["syncSchema"] = (await stack.Api.PostAsync("sources/discover_schema", new JsonObject { ["sourceId"] = rates }))["schema"]!.DeepClone(),
            ["schedule"] = new JsonObject { ["units"] = 1, ["timeUnit"] = "hours" },
        });

        var config = Path.Combine(stack.ConfigRoot, "config");
        var problems = Schemas.CheckTree(config);

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        foreach (var (type, count) in new[] { ("SOURCE_CONNECTION", 2), ("DESTINATION_CONNECTION", 2), ("STANDARD_SYNC", 3), ("STANDARD_SYNC_SCHEDULE", 3) })
            Assert.Equal(count, Directory.GetFiles(Path.Combine(config, type)).Length);
        var workspace = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(config, "STANDARD_WORKSPACE", ApiClient.DefaultWorkspaceId + ".json")))!;
        Assert.True(workspace["initialSetupComplete"]!.GetValue<bool>());
        // The seed has none; the server sets one at start-up, as the real ServerApp did (WorkspaceRead requires it).
        Assert.True(Guid.TryParse(workspace["customerId"]?.GetValue<string>(), out _), workspace.ToJsonString());
    }

    private static Dictionary<string, JsonNode?> Files(string configFolder) =>
        Directory.GetFiles(configFolder, "*.json", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(configFolder, f).Replace('\\', '/'), f => JsonNode.Parse(File.ReadAllText(f)), StringComparer.Ordinal);
}
