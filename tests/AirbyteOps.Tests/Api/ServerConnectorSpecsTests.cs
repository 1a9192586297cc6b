using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AirbyteOps.Api;
using AirbyteOps.Setups.Secrets;

namespace AirbyteOps.Tests.Api;

/// <summary>
/// ExportSetup asks the deployment for each connector's spec (source_definition_specifications/get,
/// destination_definition_specifications/get), every request and answer valid under the real 0.7.1 spec.
/// </summary>
public sealed class ServerConnectorSpecsTests
{
    private const string SourceDefinitionId = "decd338e-5647-4c0b-adf4-da0e75f5a750";

    [Fact]
    public async Task The_server_gives_the_spec_whose_airbyte_secret_fields_become_secret_and_a_miss_is_said_once()
    {
        var contract = OpenApiContract.For(AirbyteReference.V071);
        var real = JsonNode.Parse(File.ReadAllText(Path.Combine(AirbyteReference.Root, "specs", "later", "source-postgres", "spec.json")))!;
        var exchanges = new List<(string Route, JsonNode? Request, int Status, JsonNode Answer)>();
        var handler = new Handler(async request =>
        {
            var route = request.RequestUri!.AbsolutePath.Split("/api/v1/")[1];
            var body = JsonNode.Parse(await request.Content!.ReadAsStringAsync());
            var (status, answer) = contract.CheckRequest(route, body) is { Count: > 0 } problems ? (422, new JsonObject { ["message"] = string.Join("; ", problems) })
                : route == "source_definition_specifications/get" && (string?)body!["sourceDefinitionId"] == SourceDefinitionId
                    ? (200, new JsonObject { ["sourceDefinitionId"] = SourceDefinitionId, ["documentationUrl"] = "https://docs.airbyte.io", ["connectionSpecification"] = real["connectionSpecification"]!.DeepClone() })
                    : (404, new JsonObject { ["message"] = "not found" });
            exchanges.Add((route, body, status, answer));
            return new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent(answer.ToJsonString(), Encoding.UTF8, "application/json") };
        });
        using var api = new AirbyteApi(new Uri("http://airbyte.test/api/v1"), handler: handler);
        var log = new List<string>();
        var specs = new ServerConnectorSpecs(api, log.Add);

        var source = await specs.FindAsync(new ConnectorDefinition("source", SourceDefinitionId, "airbyte/source-postgres", "0.3.5"), default);
        var keys = SecretScanner.SpecSecretKeys(Assert.Single(source));
        Assert.Contains("client_key_password", keys); // inside the ssl_mode oneOf
        Assert.Contains("password", keys);
        Assert.DoesNotContain("host", keys);

        Assert.Empty(await specs.FindAsync(new ConnectorDefinition("destination", Guid.NewGuid().ToString(), "airbyte/destination-csv", null), default));
        Assert.Empty(await specs.FindAsync(new ConnectorDefinition("destination", Guid.NewGuid().ToString(), "airbyte/destination-csv", null), default));
        Assert.Single(log, l => l.Contains("has no spec for destination airbyte/destination-csv", StringComparison.Ordinal));
        Assert.Equal(["source_definition_specifications/get", "destination_definition_specifications/get", "destination_definition_specifications/get"], exchanges.Select(e => e.Route));
        foreach (var (route, request, status, answer) in exchanges)
        {
            Assert.Empty(contract.CheckRequest(route, request));
            Assert.Empty(contract.CheckResponse(route, status, answer));
        }
        Assert.Equal(1, specs.Found);
    }

    [Fact]
    public async Task A_server_that_does_not_answer_is_asked_once_and_said_once()
    {
        var calls = 0;
        var handler = new Handler(_ => { calls++; throw new HttpRequestException("Connection refused"); });
        using var api = new AirbyteApi(new Uri("http://airbyte.test/api/v1"), handler: handler);
        var log = new List<string>();
        var specs = new ServerConnectorSpecs(api, log.Add);
        for (var i = 0; i < 3; i++)
            Assert.Empty(await specs.FindAsync(new ConnectorDefinition("source", SourceDefinitionId, "airbyte/source-postgres", null), default));
        Assert.Equal(1, calls);
        Assert.Single(log);
        Assert.Contains("does not answer for connector specs", log[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prefetched_specs_are_answered_without_the_server_which_a_paused_writer_cannot_answer()
    {
        var contract = OpenApiContract.For(AirbyteReference.V071);
        var real = JsonNode.Parse(File.ReadAllText(Path.Combine(AirbyteReference.Root, "specs", "later", "source-postgres", "spec.json")))!;
        var workspaceId = Guid.NewGuid().ToString();
        var paused = false;
        var routes = new List<string>();
        var answered = new List<(string Route, JsonNode Answer)>();
        JsonObject Source(string name) => new()
        {
            ["sourceDefinitionId"] = SourceDefinitionId, ["sourceId"] = Guid.NewGuid().ToString(), ["workspaceId"] = workspaceId,
            ["connectionConfiguration"] = new JsonObject { ["host"] = "db.internal", ["password"] = "**********" }, ["name"] = name, ["sourceName"] = "Postgres",
        };
        var handler = new Handler(async request =>
        {
            var route = request.RequestUri!.AbsolutePath.Split("/api/v1/")[1];
            var body = JsonNode.Parse(await request.Content!.ReadAsStringAsync());
            Assert.Empty(contract.CheckRequest(route, body));
            routes.Add(route);
            if (paused) await Task.Delay(Timeout.Infinite, CancellationToken.None); // a paused server: the request never ends
            JsonNode answer = route switch
            {
                "workspaces/get_by_slug" => new JsonObject
                {
                    ["workspaceId"] = workspaceId, ["customerId"] = Guid.NewGuid().ToString(), ["name"] = "default", ["slug"] = "default",
                    ["initialSetupComplete"] = true, ["onboardingComplete"] = true,
                },
                "sources/list" => new JsonObject { ["sources"] = new JsonArray(Source("orders"), Source("customers")) },
                "destinations/list" => new JsonObject { ["destinations"] = new JsonArray() },
                "source_definition_specifications/get" => new JsonObject { ["sourceDefinitionId"] = SourceDefinitionId, ["documentationUrl"] = "https://docs.airbyte.io", ["connectionSpecification"] = real["connectionSpecification"]!.DeepClone() },
                _ => throw new InvalidOperationException(route),
            };
            answered.Add((route, answer));
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(answer.ToJsonString(), Encoding.UTF8, "application/json") };
        });
        using var api = new AirbyteApi(new Uri("http://airbyte.test/api/v1"), handler: handler);
        var log = new List<string>();
        var specs = new ServerConnectorSpecs(api, log.Add);

        await specs.PrefetchAsync(default);
        Assert.Equal(["workspaces/get_by_slug", "sources/list", "source_definition_specifications/get", "destinations/list"], routes); // one spec call for the two sources of one definition
        paused = true;
        var prefetched = await specs.FindAsync(new ConnectorDefinition("source", SourceDefinitionId, "airbyte/source-postgres", "0.3.5"), default).WaitAsync(TimeSpan.FromSeconds(10));
        var unknown = await specs.FindAsync(new ConnectorDefinition("destination", Guid.NewGuid().ToString(), "airbyte/destination-csv", null), default).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Contains("password", SecretScanner.SpecSecretKeys(Assert.Single(prefetched)));
        Assert.Empty(unknown);
        Assert.Equal(4, routes.Count); // nothing asked of the paused server
        // The fake answers are what the real 0.7.1 server returns (its response schemas), so the prefetch reads real shapes.
        Assert.Equal(4, answered.Count);
        foreach (var (route, answer) in answered) Assert.Empty(contract.CheckResponse(route, 200, answer));
        Assert.Single(log, l => l.Contains("was not in use when the specs were fetched", StringComparison.Ordinal));
    }

    private sealed class Handler(Func<HttpRequestMessage, Task<HttpResponseMessage>> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct) => answer(request);
    }
}
