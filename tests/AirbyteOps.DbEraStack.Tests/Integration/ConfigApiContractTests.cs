using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AirbyteOps.DbEraStack.Tests.Support;

namespace AirbyteOps.DbEraStack.Tests.Integration;

/// <summary>
/// The stand-in's API through its proxy, every request and answer checked against Airbyte 0.50.33's config-api.yaml,
/// and what it writes read back from the tables (actor, secrets, connection, jobs, attempts).
/// </summary>
public sealed partial class ConfigApiContractTests(DbEraFixture fixture) : IClassFixture<DbEraFixture>
{
    private static readonly OpenApiContract Spec = OpenApiContract.ForDbEra(AirbyteReference.V05033);
    private DbEraContainers Stack => fixture.Stack;

    private async Task<JsonObject> Call(string route, JsonObject? body = null, int status = 200)
    {
        Assert.Empty(Spec.CheckRequest(route, body ?? []));
        var (got, answer) = await Stack.PostAsync(route, body);
        Assert.True(got == status, $"{route} answered {got}, expected {status}: {answer?.ToJsonString()}");
        Assert.Empty(Spec.CheckResponse(route, got, answer));
        return answer!.AsObject();
    }

    private async Task<Guid> DefaultWorkspace() =>
        Guid.Parse((await Call("workspaces/list"))["workspaces"]!.AsArray().Single(w => w!["slug"]!.GetValue<string>() == "default")!["workspaceId"]!.GetValue<string>());

    [Fact]
    public async Task Health_answers_available_true_in_the_specs_shape()
    {
        using var response = await Stack.Http.GetAsync("health");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Empty(Spec.CheckResponse("health", 200, body));
        Assert.True(body!["available"]!.GetValue<bool>());
    }

    [Fact]
    public async Task The_proxy_asks_for_the_env_files_basic_auth_on_every_path()
    {
        using var anonymous = new HttpClient { BaseAddress = Stack.Http.BaseAddress };
        using var health = await anonymous.GetAsync("health");
        Assert.Equal(401, (int)health.StatusCode);
        Assert.Contains("Basic", health.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        using var list = await anonymous.PostAsync("workspaces/list", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(401, (int)list.StatusCode);
    }

    [Fact]
    public async Task Workspaces_and_the_seeded_definitions_read_in_the_specs_shapes()
    {
        var workspace = await DefaultWorkspace();
        var got = await Call("workspaces/get", new JsonObject { ["workspaceId"] = workspace.ToString() });
        Assert.Equal(workspace.ToString(), got["workspaceId"]!.GetValue<string>());
        var sources = (await Call("source_definitions/list"))["sourceDefinitions"]!.AsArray();
        var destinations = (await Call("destination_definitions/list"))["destinationDefinitions"]!.AsArray();
        var rows = await Stack.QueryAsync("SELECT actor_type::text, COUNT(*) FROM actor_definition GROUP BY 1");
        Assert.Equal((long)rows.Single(r => (string)r[0]! == "source")[1]!, sources.Count);
        Assert.Equal((long)rows.Single(r => (string)r[0]! == "destination")[1]!, destinations.Count);
        await Call("source_definitions/list_for_workspace", new JsonObject { ["workspaceId"] = workspace.ToString() });
        await Call("destination_definitions/list_for_workspace", new JsonObject { ["workspaceId"] = workspace.ToString() });
        var missing = await Call("workspaces/get", new JsonObject { ["workspaceId"] = Guid.NewGuid().ToString() }, 404);
        Assert.Contains("Could not find", missing["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_source_a_destination_a_connection_and_a_sync_go_into_the_tables_with_secrets_split_as_the_real_default()
    {
        var workspace = await DefaultWorkspace();
        var postgresSource = (await Call("source_definitions/list"))["sourceDefinitions"]!.AsArray().First(d => d!["dockerRepository"]!.GetValue<string>() == "airbyte/source-postgres")!;
        var postgresDestination = (await Call("destination_definitions/list"))["destinationDefinitions"]!.AsArray().First(d => d!["dockerRepository"]!.GetValue<string>() == "airbyte/destination-postgres")!;
        var sourcePassword = "src-" + Guid.NewGuid().ToString("N");
        var tunnelPassword = "ssh-" + Guid.NewGuid().ToString("N");
        var source = await Call("sources/create", new JsonObject
        {
            ["workspaceId"] = workspace.ToString(), ["name"] = "orders db", ["sourceDefinitionId"] = postgresSource["sourceDefinitionId"]!.GetValue<string>(),
            ["connectionConfiguration"] = new JsonObject
            {
                ["host"] = "10.0.0.5", ["port"] = 5432, ["database"] = "orders", ["username"] = "reader", ["password"] = sourcePassword,
                ["tunnel_method"] = new JsonObject { ["tunnel_method"] = "SSH_PASSWORD_AUTH", ["tunnel_host"] = "bastion", ["tunnel_user"] = "ops", ["tunnel_user_password"] = tunnelPassword },
            },
        });
        var sourceId = source["sourceId"]!.GetValue<string>();
        Assert.Equal("**********", source["connectionConfiguration"]!["password"]!.GetValue<string>());
        Assert.Equal("**********", source["connectionConfiguration"]!["tunnel_method"]!["tunnel_user_password"]!.GetValue<string>());
        Assert.Equal("10.0.0.5", source["connectionConfiguration"]!["host"]!.GetValue<string>());

        // In the table: coordinates in place of both secrets, payloads in secrets(coordinate, payload).
        var stored = JsonNode.Parse((string)(await Stack.QueryAsync($"SELECT configuration::text FROM actor WHERE id = '{sourceId}'"))[0][0]!)!;
        var coordinates = new[] { stored["password"]!["_secret"]!.GetValue<string>(), stored["tunnel_method"]!["tunnel_user_password"]!["_secret"]!.GetValue<string>() };
        foreach (var coordinate in coordinates) Assert.Matches(Coordinate(), coordinate);
        Assert.All(coordinates, c => Assert.StartsWith($"airbyte_workspace_{workspace}_secret_", c, StringComparison.Ordinal));
        Assert.DoesNotContain(sourcePassword, stored.ToJsonString(), StringComparison.Ordinal);
        var payloads = (await Stack.QueryAsync($"SELECT coordinate, payload FROM secrets WHERE coordinate IN ('{coordinates[0]}', '{coordinates[1]}')")).ToDictionary(r => (string)r[0]!, r => (string)r[1]!);
        Assert.Equal(sourcePassword, payloads[coordinates[0]]);
        Assert.Equal(tunnelPassword, payloads[coordinates[1]]);

        var destination = await Call("destinations/create", new JsonObject
        {
            ["workspaceId"] = workspace.ToString(), ["name"] = "warehouse", ["destinationDefinitionId"] = postgresDestination["destinationDefinitionId"]!.GetValue<string>(),
            ["connectionConfiguration"] = new JsonObject { ["host"] = "wh", ["port"] = 5432, ["database"] = "wh", ["schema"] = "public", ["username"] = "w", ["password"] = "dest-secret" },
        });
        var destinationId = destination["destinationId"]!.GetValue<string>();
        Assert.Equal("**********", destination["connectionConfiguration"]!["password"]!.GetValue<string>());

        Assert.Contains((await Call("sources/list", new JsonObject { ["workspaceId"] = workspace.ToString() }))["sources"]!.AsArray(), s => s!["sourceId"]!.GetValue<string>() == sourceId);
        Assert.Equal("orders db", (await Call("sources/get", new JsonObject { ["sourceId"] = sourceId }))["name"]!.GetValue<string>());
        Assert.Contains((await Call("destinations/list", new JsonObject { ["workspaceId"] = workspace.ToString() }))["destinations"]!.AsArray(), d => d!["destinationId"]!.GetValue<string>() == destinationId);
        Assert.Equal("warehouse", (await Call("destinations/get", new JsonObject { ["destinationId"] = destinationId }))["name"]!.GetValue<string>());

        var connection = await Call("connections/create", new JsonObject
        {
            ["sourceId"] = sourceId, ["destinationId"] = destinationId, ["status"] = "active", ["name"] = "orders to warehouse", ["namespaceDefinition"] = "source",
            ["scheduleType"] = "manual",
            ["syncCatalog"] = new JsonObject
            {
                ["streams"] = new JsonArray(new JsonObject
                {
                    ["stream"] = new JsonObject { ["name"] = "orders", ["namespace"] = "public", ["jsonSchema"] = new JsonObject { ["type"] = "object" }, ["supportedSyncModes"] = new JsonArray("full_refresh", "incremental") },
                    ["config"] = new JsonObject { ["syncMode"] = "full_refresh", ["destinationSyncMode"] = "overwrite", ["selected"] = true },
                }),
            },
        });
        var connectionId = connection["connectionId"]!.GetValue<string>();
        var catalog = JsonNode.Parse((string)(await Stack.QueryAsync($"SELECT catalog::text FROM connection WHERE id = '{connectionId}'"))[0][0]!)!;
        Assert.Equal("orders", catalog["streams"]![0]!["stream"]!["name"]!.GetValue<string>());
        Assert.Equal("overwrite", catalog["streams"]![0]!["destination_sync_mode"]!.GetValue<string>());
        Assert.Contains((await Call("connections/list", new JsonObject { ["workspaceId"] = workspace.ToString() }))["connections"]!.AsArray(), c => c!["connectionId"]!.GetValue<string>() == connectionId);
        var read = await Call("connections/get", new JsonObject { ["connectionId"] = connectionId });
        Assert.Equal("full_refresh", read["syncCatalog"]!["streams"]![0]!["config"]!["syncMode"]!.GetValue<string>());

        var sync = await Call("connections/sync", new JsonObject { ["connectionId"] = connectionId });
        var jobId = sync["job"]!["id"]!.GetValue<long>();
        Assert.Equal(connectionId, sync["job"]!["configId"]!.GetValue<string>());
        var jobRow = (await Stack.QueryAsync($"SELECT config_type::text, scope, status::text FROM jobs WHERE id = {jobId}"))[0];
        Assert.Equal(["sync", connectionId], jobRow[..2].Cast<string>());
        Assert.Equal(sync["job"]!["status"]!.GetValue<string>(), (string)jobRow[2]!);
        var jobs = await Call("jobs/list", new JsonObject { ["configTypes"] = new JsonArray("sync"), ["configId"] = connectionId });
        Assert.Equal(1, jobs["totalJobCount"]!.GetValue<long>());
        Assert.Equal(jobId, jobs["jobs"]![0]!["job"]!["id"]!.GetValue<long>());
        var job = await Call("jobs/get", new JsonObject { ["id"] = jobId });
        Assert.Equal((await Stack.QueryAsync($"SELECT COUNT(*) FROM attempts WHERE job_id = {jobId}"))[0][0], (long)job["attempts"]!.AsArray().Count);
        await Call("jobs/get", new JsonObject { ["id"] = jobId + 1000 }, 404);
    }

    [GeneratedRegex("^airbyte_workspace_[0-9a-f-]{36}_secret_[0-9a-f-]{36}_v[0-9]+$")]
    private static partial Regex Coordinate();
}
