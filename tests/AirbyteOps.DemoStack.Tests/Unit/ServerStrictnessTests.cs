using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AirbyteOps.DemoStack.Tests.Support;

namespace AirbyteOps.DemoStack.Tests.Unit;

/// <summary>
/// The stand-in server as strict as the real 0.7.1: requests its spec refuses answer 422 (every one here is checked to be
/// invalid under api/v0.7.1-alpha first), and config files are read as the real persistence reads them: a stray entry in a
/// type's folder or a file invalid under config-types/v0.7.1-alpha fails that type's reads with 422 naming the file, and
/// an invalid default workspace makes health false.
/// </summary>
public sealed class ServerStrictnessTests
{
    private static readonly OpenApiContract Spec = OpenApiContract.For(AirbyteReference.V071);
    private static readonly ConfigTypeSchemas Schemas = ConfigTypeSchemas.For(AirbyteReference.V071);

    [Fact]
    public async Task Requests_the_real_spec_refuses_answer_422_with_a_message()
    {
        await using var stack = await InProcessStack.StartAsync();
        var source = await stack.Api.CreateSourceAsync(ApiClient.ExchangeRatesDefinitionId, "rates", ApiClient.ExchangeRatesConfig());
        var destination = await stack.Api.CreateDestinationAsync(ApiClient.LocalCsvDefinitionId, "csv", ApiClient.CsvConfig());
        var schema = (await stack.Api.PostAsync("sources/discover_schema", new JsonObject { ["sourceId"] = source }))["schema"]!;
        JsonObject Connection() => new() { ["sourceId"] = source, ["destinationId"] = destination, ["syncMode"] = "full_refresh", ["syncSchema"] = schema.DeepClone(), ["status"] = "active" };

        var noSyncMode = Connection();
        noSyncMode.Remove("syncMode");
        var badStatus = Connection();
        badStatus["status"] = "paused";
        var noStatus = Connection();
        noStatus.Remove("status");
        (string Route, JsonObject Body)[] invalid =
        [
            ("connections/create", noSyncMode),
            ("connections/create", badStatus),
            ("connections/create", noStatus),
            ("sources/create", new JsonObject { ["sourceDefinitionId"] = ApiClient.ExchangeRatesDefinitionId, ["workspaceId"] = ApiClient.DefaultWorkspaceId, ["connectionConfiguration"] = new JsonObject() }),
            ("jobs/list", new JsonObject { ["configTypes"] = new JsonArray("sync"), ["configId"] = "x" }),
            ("workspaces/get_by_slug", new JsonObject()),
        ];
        foreach (var (route, body) in invalid)
        {
            Assert.True(Spec.CheckRequest(route, body).Count > 0, $"the real spec accepts {route} {body.ToJsonString()}"); // the real spec refuses it
            var (status, answer) = await stack.Api.TryPostAsync(route, body);
            Assert.True(status == (HttpStatusCode)422, $"{route} {body.ToJsonString()} answered {(int)status}");
            Assert.False(string.IsNullOrEmpty(answer["message"]?.GetValue<string>()));
        }
        Assert.Empty(Spec.CheckRequest("connections/create", Connection()));
        Assert.Equal(HttpStatusCode.OK, (await stack.Api.TryPostAsync("connections/create", Connection())).Status);
    }

    [Theory]
    [InlineData("{\"sourceId\": ")]
    [InlineData("[1, 2]")]
    public async Task A_body_that_is_not_a_JSON_object_answers_422(string text)
    {
        await using var stack = await InProcessStack.StartAsync();
        using var http = new HttpClient();
        using var response = await http.PostAsync($"{stack.BaseUrl}/api/v1/sources/get", new StringContent(text, Encoding.UTF8, "application/json"));
        Assert.Equal((HttpStatusCode)422, response.StatusCode);
        Assert.Contains("Invalid json", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("notes.txt")]
    [InlineData("e1f5d4c6-7a8b-4c9d-8e3f-4a5b6c7d8e9f.json.bak")]
    public async Task A_stray_file_in_a_config_folder_fails_that_type_s_list_with_422_naming_it_until_removed(string stray)
    {
        await using var stack = await InProcessStack.StartAsync();
        var folder = Path.Combine(stack.ConfigRoot, "config", "STANDARD_SYNC");
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, stray), "{}");

        var (status, answer) = await stack.Api.TryPostAsync("connections/list", Workspace());
        var (sourcesStatus, _) = await stack.Api.TryPostAsync("sources/list", Workspace());

        Assert.Equal((HttpStatusCode)422, status);
        Assert.Contains($"config/STANDARD_SYNC/{stray}", answer["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, sourcesStatus); // other types are read as before
        Assert.True(await stack.Api.HealthAsync());
        File.Delete(Path.Combine(folder, stray));
        Assert.Equal(HttpStatusCode.OK, (await stack.Api.TryPostAsync("connections/list", Workspace())).Status);
    }

    [Fact]
    public async Task A_schema_invalid_file_fails_reads_of_its_type_with_422_naming_it()
    {
        await using var stack = await InProcessStack.StartAsync();
        TempDirectory.CopyTree(Path.Combine(AirbyteReference.DataTreeReconstructed, "config"), Path.Combine(stack.ConfigRoot, "config"));
        Assert.Equal(HttpStatusCode.OK, (await stack.Api.TryPostAsync("connections/list", Workspace())).Status);
        var file = Directory.GetFiles(Path.Combine(stack.ConfigRoot, "config", "STANDARD_SYNC")).Order(StringComparer.Ordinal).First();
        var sync = JsonNode.Parse(await File.ReadAllTextAsync(file))!.AsObject();
        sync.Remove("syncMode");
        await File.WriteAllTextAsync(file, sync.ToJsonString());
        Assert.NotEmpty(Schemas.CheckFile("STANDARD_SYNC", file)); // invalid by the reference schemas, read independently

        var (status, answer) = await stack.Api.TryPostAsync("connections/list", Workspace());
        var (getStatus, _) = await stack.Api.TryPostAsync("connections/get", new JsonObject { ["connectionId"] = Path.GetFileNameWithoutExtension(file) });

        Assert.Equal((HttpStatusCode)422, status);
        Assert.Equal((HttpStatusCode)422, getStatus);
        var message = answer["message"]!.GetValue<string>();
        Assert.Contains(Path.GetFileName(file), message, StringComparison.Ordinal);
        Assert.Contains("syncMode", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_default_workspace_makes_health_false_as_the_real_server_s_health_read_fails()
    {
        await using var stack = await InProcessStack.StartAsync();
        var file = Path.Combine(stack.ConfigRoot, "config", "STANDARD_WORKSPACE", ApiClient.DefaultWorkspaceId + ".json");
        var valid = await File.ReadAllTextAsync(file);
        Assert.True(await stack.Api.HealthAsync());
        var workspace = JsonNode.Parse(valid)!.AsObject();
        workspace.Remove("onboardingComplete");
        workspace["tombstone"] = false; // the shape the stand-in wrote before it followed 0.7.1's schema
        await File.WriteAllTextAsync(file, workspace.ToJsonString());
        Assert.NotEmpty(Schemas.CheckFile("STANDARD_WORKSPACE", file));

        Assert.False(await stack.Api.HealthAsync());

        await File.WriteAllTextAsync(file, valid);
        Assert.True(await stack.Api.HealthAsync());
    }

    private static JsonObject Workspace() => new() { ["workspaceId"] = ApiClient.DefaultWorkspaceId };
}
