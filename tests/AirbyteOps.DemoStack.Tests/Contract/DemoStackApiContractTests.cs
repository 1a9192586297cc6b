using System.Text.Json.Nodes;
using AirbyteOps.DemoStack.Tests.Support;

namespace AirbyteOps.DemoStack.Tests.Contract;

/// <summary>Every answer of the demo stack's API on the tutorial's path, checked against Airbyte v0.7.1-alpha's real spec.</summary>
public sealed class DemoStackApiContractTests
{
    private static readonly OpenApiContract Spec = OpenApiContract.For(AirbyteReference.V071);

    [Fact]
    public async Task Workspace_definitions_sources_destinations_discovery_and_connections_answer_as_0_7_1_does()
    {
        await using var stack = await InProcessStack.StartAsync();
        var problems = new List<string>();
        async Task<JsonObject> Call(string route, JsonObject body)
        {
            var (status, answer) = await stack.Api.TryPostAsync(route, body);
            problems.AddRange(Spec.CheckResponse(route, (int)status, answer));
            return answer;
        }

        await Call("workspaces/get_by_slug", new JsonObject { ["slug"] = "default" });
        await Call("workspaces/get", new JsonObject { ["workspaceId"] = ApiClient.DefaultWorkspaceId });
        await Call("source_definitions/list", new JsonObject());
        await Call("destination_definitions/list", new JsonObject());
        var source = await Call("sources/create", new JsonObject { ["sourceDefinitionId"] = ApiClient.ExchangeRatesDefinitionId, ["workspaceId"] = ApiClient.DefaultWorkspaceId, ["name"] = "rates", ["connectionConfiguration"] = ApiClient.ExchangeRatesConfig() });
        var destination = await Call("destinations/create", new JsonObject { ["destinationDefinitionId"] = ApiClient.PostgresDefinitionId, ["workspaceId"] = ApiClient.DefaultWorkspaceId, ["name"] = "pg", ["connectionConfiguration"] = ApiClient.PostgresConfig(3000, "s3cret-pw") });
        await Call("sources/list", new JsonObject { ["workspaceId"] = ApiClient.DefaultWorkspaceId });
        var listed = await Call("destinations/list", new JsonObject { ["workspaceId"] = ApiClient.DefaultWorkspaceId });
        var discovered = await Call("sources/discover_schema", new JsonObject { ["sourceId"] = source["sourceId"]!.DeepClone() });
        await Call("connections/create", new JsonObject
        {
            ["name"] = "rates", ["sourceId"] = source["sourceId"]!.DeepClone(), ["destinationId"] = destination["destinationId"]!.DeepClone(),
            ["syncMode"] = "full_refresh", ["syncSchema"] = discovered["schema"]!.DeepClone(), ["status"] = "active",
        });
        await Call("connections/list", new JsonObject { ["workspaceId"] = ApiClient.DefaultWorkspaceId });

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        // Secrets masked in reads, as the real server does; the file keeps the plaintext.
        Assert.Equal("**********", destination["connectionConfiguration"]!["password"]!.GetValue<string>());
        Assert.Equal("**********", listed["destinations"]![0]!["connectionConfiguration"]!["password"]!.GetValue<string>());
        var file = Directory.GetFiles(Path.Combine(stack.ConfigRoot, "config", "DESTINATION_CONNECTION")).Single();
        Assert.Contains("s3cret-pw", File.ReadAllText(file), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sync_and_jobs_answer_as_0_7_1_does()
    {
        await using var stack = await InProcessStack.StartAsync();
        var problems = new List<string>();
        async Task<JsonObject> Call(string route, JsonObject body)
        {
            problems.AddRange(Spec.CheckRequest(route, body));
            var (status, answer) = await stack.Api.TryPostAsync(route, body);
            problems.AddRange(Spec.CheckResponse(route, (int)status, answer));
            return answer;
        }
        var source = await stack.Api.CreateSourceAsync(ApiClient.ExchangeRatesDefinitionId, "rates", ApiClient.ExchangeRatesConfig());
        var destination = await stack.Api.CreateDestinationAsync(ApiClient.LocalCsvDefinitionId, "csv", ApiClient.CsvConfig());
        var connection = await stack.Api.CreateConnectionAsync(source, destination);

        var synced = await Call("connections/sync", new JsonObject { ["connectionId"] = connection });
        var listed = await Call("jobs/list", new JsonObject { ["configType"] = "sync", ["configId"] = connection });
        var discoveries = await Call("jobs/list", new JsonObject { ["configType"] = "discover_schema", ["configId"] = source });
        var job = await Call("jobs/get", new JsonObject { ["id"] = listed["jobs"]![0]!["id"]!.DeepClone() });
        var discovery = await Call("jobs/get", new JsonObject { ["id"] = discoveries["jobs"]![0]!["id"]!.DeepClone() });
        // 0.20's plural form is not 0.7.1's: refused, as the real server's required configType refused it.
        var (pluralStatus, _) = await stack.Api.TryPostAsync("jobs/list", new JsonObject { ["configTypes"] = new JsonArray("sync"), ["configId"] = connection });

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.Equal(new JsonObject { ["status"] = "succeeded" }.ToJsonString(), synced.ToJsonString());
        Assert.Equal(2, job["job"]!["id"]!.GetValue<long>());
        Assert.Equal("completed", job["job"]!["status"]!.GetValue<string>());
        Assert.NotEmpty(job["logs"]!["logLines"]!.AsArray());
        Assert.Equal(1, discovery["job"]!["id"]!.GetValue<long>());
        Assert.Equal("discover_schema", discovery["job"]!["configType"]!.GetValue<string>());
        Assert.Equal(422, (int)pluralStatus);
    }
}
