using System.Net;
using System.Text.Json.Nodes;
using AirbyteOps.DemoStack.Tests.Support;

namespace AirbyteOps.DemoStack.Tests.Unit;

/// <summary>The server stand-in in process: config files under CONFIG_ROOT/config are the only state, read on every request.</summary>
public sealed class ServerApiTests
{
    [Fact]
    public async Task Health_is_false_on_an_empty_data_folder_and_true_once_the_default_workspace_file_is_copied_in()
    {
        await using var stack = await InProcessStack.StartAsync(seeded: false);
        Assert.False(await stack.Api.HealthAsync());

        // When: the tutorial's restore, a plain file copy, with no restart.
        TempDirectory.CopyTree(DemoStackPaths.SeedConfig, Path.Combine(stack.ConfigRoot, "config"));

        Assert.True(await stack.Api.HealthAsync());
    }

    [Fact]
    public async Task A_source_file_copied_into_the_config_folder_is_listed_on_the_next_request()
    {
        await using var stack = await InProcessStack.StartAsync();
        Assert.Empty((await stack.Api.PostAsync("sources/list", Workspace()))["sources"]!.AsArray());
        var id = Guid.NewGuid().ToString();
        var folder = Path.Combine(stack.ConfigRoot, "config", "SOURCE_CONNECTION");
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, id + ".json"), new JsonObject
        {
            ["sourceDefinitionId"] = ApiClient.ExchangeRatesDefinitionId,
            ["sourceId"] = id,
            ["workspaceId"] = ApiClient.DefaultWorkspaceId,
            ["name"] = "restored",
            ["configuration"] = new JsonObject { ["base"] = "EUR" },
            ["tombstone"] = false,
        }.ToJsonString());

        var sources = (await stack.Api.PostAsync("sources/list", Workspace()))["sources"]!.AsArray();

        var source = Assert.Single(sources)!;
        Assert.Equal(id, source["sourceId"]!.GetValue<string>());
        Assert.Equal("restored", source["name"]!.GetValue<string>());
        Assert.Equal("EUR", source["connectionConfiguration"]!["base"]!.GetValue<string>());
    }

    [Fact]
    public async Task Creating_a_destination_writes_its_configuration_with_the_password_in_plaintext_like_Airbyte_did()
    {
        await using var stack = await InProcessStack.StartAsync();

        var id = await stack.Api.CreateDestinationAsync(ApiClient.PostgresDefinitionId, "pg", ApiClient.PostgresConfig(3000, "pw-in-file"));

        var file = Path.Combine(stack.ConfigRoot, "config", "DESTINATION_CONNECTION", id + ".json");
        var stored = JsonNode.Parse(await File.ReadAllTextAsync(file))!;
        Assert.Equal("pw-in-file", stored["configuration"]!["password"]!.GetValue<string>());
        Assert.Equal(ApiClient.PostgresDefinitionId, stored["destinationDefinitionId"]!.GetValue<string>());
        var listed = (await stack.Api.PostAsync("destinations/list", Workspace()))["destinations"]!.AsArray();
        Assert.Equal(id, Assert.Single(listed)!["destinationId"]!.GetValue<string>());
    }

    [Fact]
    public async Task Creating_a_connection_writes_STANDARD_SYNC_and_STANDARD_SYNC_SCHEDULE_and_lists_it_with_its_sync_schema()
    {
        await using var stack = await InProcessStack.StartAsync();
        var source = await stack.Api.CreateSourceAsync(ApiClient.ExchangeRatesDefinitionId, "rates", ApiClient.ExchangeRatesConfig());
        var destination = await stack.Api.CreateDestinationAsync(ApiClient.LocalCsvDefinitionId, "csv", ApiClient.CsvConfig());

        var connection = await stack.Api.CreateConnectionAsync(source, destination);

        Assert.True(File.Exists(Path.Combine(stack.ConfigRoot, "config", "STANDARD_SYNC", connection + ".json")));
        var schedule = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(stack.ConfigRoot, "config", "STANDARD_SYNC_SCHEDULE", connection + ".json")))!;
        Assert.True(schedule["manual"]!.GetValue<bool>());
        var listed = Assert.Single((await stack.Api.PostAsync("connections/list", Workspace()))["connections"]!.AsArray())!;
        Assert.Equal(connection, listed["connectionId"]!.GetValue<string>());
        Assert.Equal(source, listed["sourceId"]!.GetValue<string>());
        Assert.Equal("active", listed["status"]!.GetValue<string>());
        Assert.Null(listed["schedule"]);
        var stream = Assert.Single(listed["syncSchema"]!["streams"]!.AsArray())!;
        Assert.Equal("exchange_rate", stream["name"]!.GetValue<string>());
        Assert.Equal(34, stream["fields"]!.AsArray().Count);
    }

    [Fact]
    public async Task Workspace_update_completes_the_initial_setup_in_the_workspace_file()
    {
        await using var stack = await InProcessStack.StartAsync();
        var before = Assert.Single((await stack.Api.PostAsync("workspaces/list", new JsonObject()))["workspaces"]!.AsArray())!;
        Assert.False(before["initialSetupComplete"]!.GetValue<bool>());

        await stack.Api.PostAsync("workspaces/update", new JsonObject
        {
            ["workspaceId"] = ApiClient.DefaultWorkspaceId,
            ["initialSetupComplete"] = true,
            ["anonymousDataCollection"] = false,
            ["news"] = false,
            ["securityUpdates"] = false,
        });

        var file = Path.Combine(stack.ConfigRoot, "config", "STANDARD_WORKSPACE", ApiClient.DefaultWorkspaceId + ".json");
        Assert.True(JsonNode.Parse(await File.ReadAllTextAsync(file))!["initialSetupComplete"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Unknown_ids_get_404_and_missing_fields_get_422_with_a_message()
    {
        await using var stack = await InProcessStack.StartAsync();

        var (missingStatus, missingBody) = await stack.Api.TryPostAsync("sources/get", new JsonObject { ["sourceId"] = Guid.NewGuid().ToString() });
        var (invalidStatus, invalidBody) = await stack.Api.TryPostAsync("sources/create", new JsonObject { ["workspaceId"] = ApiClient.DefaultWorkspaceId });
        var (jobStatus, _) = await stack.Api.TryPostAsync("jobs/get", new JsonObject { ["id"] = 42 });

        Assert.Equal(HttpStatusCode.NotFound, missingStatus);
        Assert.Contains("SOURCE_CONNECTION", missingBody["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode)422, invalidStatus);
        Assert.Contains("sourceDefinitionId", invalidBody["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, jobStatus);
    }

    private static JsonObject Workspace() => new() { ["workspaceId"] = ApiClient.DefaultWorkspaceId };
}
