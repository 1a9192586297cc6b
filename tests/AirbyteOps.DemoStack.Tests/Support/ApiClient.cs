using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace AirbyteOps.DemoStack.Tests.Support;

/// <summary>Calls the stand-in server's API as a client would.</summary>
public sealed class ApiClient : IDisposable
{
    public const string DefaultWorkspaceId = "5ae6b09b-fdec-41af-aaf7-7d94cfc33ef6";
    public const string ExchangeRatesDefinitionId = "9fed261d-d107-47fd-8c8b-323023db6e20";
    public const string FileDefinitionId = "778daa7c-feaf-4db6-96f3-70fd645acc77";
    public const string LocalCsvDefinitionId = "8be1cf83-fde1-477f-a4ad-318d23c9f3c6";
    public const string PostgresDefinitionId = "25c5221d-dce2-4163-ade9-739ef790f503";

    private readonly HttpClient _http;

    public ApiClient(string baseUrl) => _http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(180) };

    public async Task<(HttpStatusCode Status, JsonObject Body)> TryPostAsync(string path, JsonObject body)
    {
        using var response = await _http.PostAsJsonAsync("/api/v1/" + path, body);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonNode.Parse(text.Length == 0 ? "{}" : text) as JsonObject ?? []);
    }

    public async Task<JsonObject> PostAsync(string path, JsonObject body)
    {
        var (status, result) = await TryPostAsync(path, body);
        Assert.True(status == HttpStatusCode.OK, $"POST {path} answered {(int)status}: {result.ToJsonString()}");
        return result;
    }

    public async Task<bool> HealthAsync()
    {
        var body = await _http.GetFromJsonAsync<JsonObject>("/api/v1/health");
        return body?["db"]?.GetValue<bool>() == true;
    }

    public async Task<string> CreateSourceAsync(string definitionId, string name, JsonObject configuration) =>
        (await PostAsync("sources/create", new JsonObject
        {
            ["sourceDefinitionId"] = definitionId,
            ["workspaceId"] = DefaultWorkspaceId,
            ["name"] = name,
            ["connectionConfiguration"] = configuration,
        }))["sourceId"]!.GetValue<string>();

    public async Task<string> CreateDestinationAsync(string definitionId, string name, JsonObject configuration) =>
        (await PostAsync("destinations/create", new JsonObject
        {
            ["destinationDefinitionId"] = definitionId,
            ["workspaceId"] = DefaultWorkspaceId,
            ["name"] = name,
            ["connectionConfiguration"] = configuration,
        }))["destinationId"]!.GetValue<string>();

    /// <summary>
    /// Creates a connection with the schema discover_schema offers, as the webapp did; <paramref name="syncMode"/> is
    /// 0.7.1's connection syncMode (full_refresh | incremental), left out when null.
    /// </summary>
    public async Task<string> CreateConnectionAsync(string sourceId, string destinationId, string? syncMode = null)
    {
        var schema = (await PostAsync("sources/discover_schema", new JsonObject { ["sourceId"] = sourceId }))["schema"]!.DeepClone();
        var body = new JsonObject
        {
            ["sourceId"] = sourceId,
            ["destinationId"] = destinationId,
            ["syncSchema"] = schema,
            ["status"] = "active",
            ["schedule"] = null,
        };
        if (syncMode is not null) body["syncMode"] = syncMode;
        return (await PostAsync("connections/create", body))["connectionId"]!.GetValue<string>();
    }

    /// <summary>
    /// connections/sync as 0.7.1 answers it ({status} once the job ended), then the connection's newest sync job from
    /// jobs/list and its jobs/get: <c>{status, job: JobRead, logs: {logLines}}</c>.
    /// </summary>
    public async Task<JsonObject> SyncAsync(string connectionId)
    {
        var status = (await PostAsync("connections/sync", new JsonObject { ["connectionId"] = connectionId }))["status"]!.GetValue<string>();
        var jobs = (await PostAsync("jobs/list", new JsonObject { ["configType"] = "sync", ["configId"] = connectionId }))["jobs"]!.AsArray();
        var newest = jobs.Max(j => j!["id"]!.GetValue<long>());
        var info = await PostAsync("jobs/get", new JsonObject { ["id"] = newest });
        info["status"] = status;
        return info;
    }

    /// <summary>The log lines of a jobs/get answer (0.7.1: one log per job).</summary>
    public static List<string> LogLines(JsonObject info) => info["logs"]!["logLines"]!.AsArray().Select(l => l!.GetValue<string>()).ToList();

    public static JsonObject CsvConfig(string path = "/local/data") => new() { ["destination_path"] = path };

    public static JsonObject ExchangeRatesConfig() => new() { ["base"] = "USD", ["start_date"] = "2020-11-01" };

    public static JsonObject CovidFileConfig() => new()
    {
        ["url"] = "https://storage.googleapis.com/covid19-open-data/v2/latest/epidemiology.csv",
        ["format"] = "csv",
        ["dataset_name"] = "covid_epidemiology",
        ["provider"] = new JsonObject { ["storage"] = "HTTPS" },
    };

    public static JsonObject PostgresConfig(int port, string password, bool normalization = true, string schema = "quarantine") => new()
    {
        ["host"] = "localhost",
        ["port"] = port,
        ["username"] = "postgres",
        ["password"] = password,
        ["database"] = "postgres",
        ["schema"] = schema,
        ["basic_normalization"] = normalization,
    };

    public void Dispose() => _http.Dispose();
}
