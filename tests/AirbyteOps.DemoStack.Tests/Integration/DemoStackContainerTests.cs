using System.Text.Json.Nodes;
using AirbyteOps.DemoStack.Tests.Support;
using Npgsql;

namespace AirbyteOps.DemoStack.Tests.Integration;

/// <summary>The demo stack's images working together as the compose file wires them: the tutorial's steps against containers.</summary>
public sealed class DemoStackContainerTests : IClassFixture<DemoStackFixture>
{
    private readonly ContainerStack _stack;

    public DemoStackContainerTests(DemoStackFixture fixture) => _stack = fixture.Stack;

    [Fact]
    public async Task The_seeded_data_volume_holds_the_default_workspace_and_the_tutorials_connector_definitions()
    {
        var config = await _stack.ReadTreeAsync("/data/config");

        var workspace = JsonNode.Parse(config["STANDARD_WORKSPACE/5ae6b09b-fdec-41af-aaf7-7d94cfc33ef6.json"])!;
        Assert.False(workspace["initialSetupComplete"]!.GetValue<bool>());
        var sources = config.Where(f => f.Key.StartsWith("STANDARD_SOURCE_DEFINITION/", StringComparison.Ordinal)).Select(f => JsonNode.Parse(f.Value)!["name"]!.GetValue<string>()).ToList();
        var destinations = config.Where(f => f.Key.StartsWith("STANDARD_DESTINATION_DEFINITION/", StringComparison.Ordinal)).Select(f => JsonNode.Parse(f.Value)!["name"]!.GetValue<string>()).ToList();
        Assert.Contains("exchangeratesapi.io", sources);
        Assert.Contains("File", sources);
        Assert.Contains("Local CSV", destinations);
        Assert.Contains("Postgres", destinations);
    }

    [Fact]
    public async Task A_csv_sync_writes_the_attempt_folder_in_the_workspace_volume_and_the_csv_in_the_hosts_local_folder()
    {
        var source = await _stack.Api.CreateSourceAsync(ApiClient.ExchangeRatesDefinitionId, "rates", ApiClient.ExchangeRatesConfig());
        var destination = await _stack.Api.CreateDestinationAsync(ApiClient.LocalCsvDefinitionId, "csv", ApiClient.CsvConfig());
        var connection = await _stack.Api.CreateConnectionAsync(source, destination);

        var info = await _stack.Api.SyncAsync(connection);

        Assert.Equal("succeeded", info["status"]!.GetValue<string>());
        Assert.Equal("completed", info["job"]!["status"]!.GetValue<string>());
        var job = info["job"]!["id"]!.GetValue<long>();
        var attempt = await _stack.ReadTreeAsync($"/tmp/workspace/{job}/0");
        Assert.Equal(["catalog.json", "logs.log", "singer_rendered_catalog.json", "tap_config.json", "target_config.json"], attempt.Keys.Order(StringComparer.Ordinal).ToArray());
        Assert.Contains($"docker run --rm -i -v {_stack.WorkspaceVolume}:/data -v {_stack.LocalDirectory}:/local -w /data/{job}/0 --network host", attempt["logs.log"], StringComparison.Ordinal);
        Assert.All(attempt["logs.log"].Split('\n', StringSplitOptions.RemoveEmptyEntries), l => Assert.Contains($"(/tmp/workspace/{job}/0)", l, StringComparison.Ordinal));
        var csv = await File.ReadAllLinesAsync(Path.Combine(_stack.LocalDirectory, "data", "exchange_rate_raw.csv"));
        Assert.Equal("ab_id,emitted_at,data", csv[0]);
        Assert.Equal(36, csv.Length - 1);
        // The schema's property order survives the jobs database (jsonb would sort it).
        Assert.StartsWith("{\"streams\":[{\"stream\":{\"name\":\"exchange_rate\",\"json_schema\":{\"type\":\"object\",\"properties\":{\"CHF\":{\"type\":\"number\"},\"HRK\":", attempt["catalog.json"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_postgres_sync_with_basic_normalization_fills_the_raw_table_builds_the_normalized_one_and_writes_normalize()
    {
        var source = await _stack.Api.CreateSourceAsync(ApiClient.FileDefinitionId, "covid", ApiClient.CovidFileConfig());
        var destination = await _stack.Api.CreateDestinationAsync(ApiClient.PostgresDefinitionId, "pg", ApiClient.PostgresConfig(_stack.DestinationPort, _stack.DestinationPassword));
        var connection = await _stack.Api.CreateConnectionAsync(source, destination);

        var info = await _stack.Api.SyncAsync(connection);

        Assert.Equal("succeeded", info["status"]!.GetValue<string>());
        Assert.Equal("completed", info["job"]!["status"]!.GetValue<string>());
        Assert.Contains(ApiClient.LogLines(info), l => l.Contains("\"recordsSynced\":300", StringComparison.Ordinal));
        await using var db = new NpgsqlConnection(_stack.DestinationConnectionString);
        await db.OpenAsync();
        Assert.Equal(300L, await ScalarAsync<long>(db, "SELECT count(*) FROM quarantine.covid_epidemiology_raw"));
        Assert.Equal("ab_id:character varying,data:jsonb,emitted_at:timestamp with time zone",
            await ScalarAsync<string>(db, "SELECT string_agg(column_name || ':' || data_type, ',' ORDER BY column_name) FROM information_schema.columns WHERE table_schema = 'quarantine' AND table_name = 'covid_epidemiology_raw'"));
        Assert.Equal(300L, await ScalarAsync<long>(db, "SELECT count(*) FROM quarantine.covid_epidemiology"));
        Assert.Equal(10L, await ScalarAsync<long>(db, "SELECT count(DISTINCT key) FROM quarantine.covid_epidemiology"));
        var job = info["job"]!["id"]!.GetValue<long>();
        var normalize = await _stack.ReadTreeAsync($"/tmp/workspace/{job}/0/normalize");
        Assert.Contains("models/generated/covid_epidemiology.sql", normalize.Keys);
        Assert.Contains("{{ source('quarantine', 'covid_epidemiology_raw')  }}", normalize["models/generated/covid_epidemiology.sql"], StringComparison.Ordinal);
        Assert.Contains($"port: {_stack.DestinationPort}", normalize["profiles.yml"], StringComparison.Ordinal);
        Assert.Contains($"pass: {_stack.DestinationPassword}", normalize["profiles.yml"], StringComparison.Ordinal);
        foreach (var file in new[] { "dbt_project.yml", "packages.yml", "models/generated/sources.yml" })
            Assert.Contains(file, normalize.Keys);
        var log = (await _stack.ReadTreeAsync($"/tmp/workspace/{job}/0"))["logs.log"];
        Assert.DoesNotContain(_stack.DestinationPassword, log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sync_to_a_closed_port_fails_the_job_and_says_why_in_the_log()
    {
        var source = await _stack.Api.CreateSourceAsync(ApiClient.FileDefinitionId, "covid-nowhere", ApiClient.CovidFileConfig());
        var destination = await _stack.Api.CreateDestinationAsync(ApiClient.PostgresDefinitionId, "nowhere", ApiClient.PostgresConfig(TestNames.FreePort(), _stack.DestinationPassword));
        var connection = await _stack.Api.CreateConnectionAsync(source, destination);

        var info = await _stack.Api.SyncAsync(connection);

        Assert.Equal("failed", info["status"]!.GetValue<string>());
        Assert.Equal("failed", info["job"]!["status"]!.GetValue<string>());
        var lines = ApiClient.LogLines(info);
        Assert.Contains(lines, l => l.Contains("Connection refused", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains(_stack.DestinationPassword, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Consecutive_syncs_get_consecutive_job_ids()
    {
        var source = await _stack.Api.CreateSourceAsync(ApiClient.ExchangeRatesDefinitionId, "rates-ids", ApiClient.ExchangeRatesConfig());
        var destination = await _stack.Api.CreateDestinationAsync(ApiClient.LocalCsvDefinitionId, "csv-ids", ApiClient.CsvConfig("/local/ids"));
        var connection = await _stack.Api.CreateConnectionAsync(source, destination);

        var first = (await _stack.Api.SyncAsync(connection))["job"]!["id"]!.GetValue<long>();
        var second = (await _stack.Api.SyncAsync(connection))["job"]!["id"]!.GetValue<long>();

        Assert.Equal(first + 1, second);
    }

    [Fact]
    public async Task A_source_file_copied_into_the_server_like_the_tutorials_restore_is_served_without_a_restart()
    {
        var id = Guid.NewGuid().ToString();
        var config = new JsonObject
        {
            ["sourceDefinitionId"] = ApiClient.ExchangeRatesDefinitionId,
            ["sourceId"] = id,
            ["workspaceId"] = ApiClient.DefaultWorkspaceId,
            ["name"] = "restored-" + id[..8],
            ["configuration"] = new JsonObject { ["base"] = "CHF" },
            ["tombstone"] = false,
        };
        await _stack.CopyFileIntoServerAsync("/data/config/STANDARD_WORKSPACE/..", "SOURCE_CONNECTION/" + id + ".json", config.ToJsonString());

        var sources = (await _stack.Api.PostAsync("sources/list", new JsonObject { ["workspaceId"] = ApiClient.DefaultWorkspaceId }))["sources"]!.AsArray();

        Assert.Contains(sources, s => s!["sourceId"]!.GetValue<string>() == id && s["connectionConfiguration"]!["base"]!.GetValue<string>() == "CHF");
    }

    [Fact]
    public async Task The_webapp_shows_onboarding_until_the_workspace_setup_is_complete()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_stack.WebappPort}") };
        await AirbyteOps.Docker.Readiness.WaitUntilAsync("the webapp", async ct => (await http.GetAsync("/", ct)).IsSuccessStatusCode, TimeSpan.FromSeconds(60));
        var before = await http.GetStringAsync("/");

        await _stack.Api.PostAsync("workspaces/update", new JsonObject { ["workspaceId"] = ApiClient.DefaultWorkspaceId, ["initialSetupComplete"] = true, ["anonymousDataCollection"] = false, ["news"] = false, ["securityUpdates"] = false });
        var after = await http.GetStringAsync("/");

        Assert.Contains("data-needed=\"true\"", before, StringComparison.Ordinal);
        Assert.Contains("data-needed=\"false\"", after, StringComparison.Ordinal);
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection db, string sql)
    {
        await using var command = new NpgsqlCommand(sql, db);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
