using System.Text.Json.Nodes;
using AirbyteOps.DemoStack.Tests.Support;

namespace AirbyteOps.DemoStack.Tests.Unit;

/// <summary>connections/sync through the scheduler's job processor and the worker, in process, to the Local CSV destination.</summary>
public sealed class InProcessSyncTests
{
    private static readonly string[] TutorialCatalogOrder =
    [
        "CHF", "HRK", "date", "MXN", "ZAR", "INR", "CNY", "THB", "AUD", "ILS", "KRW", "JPY", "PLN", "GBP", "IDR", "HUF", "PHP",
        "TRY", "RUB", "HKD", "ISK", "EUR", "DKK", "CAD", "MYR", "USD", "BGN", "NOK", "RON", "SGD", "CZK", "SEK", "NZD", "BRL",
    ];

    [Fact]
    public async Task Discovery_and_syncs_get_job_ids_counting_up_from_1_and_each_writes_its_attempt_folder()
    {
        await using var stack = await InProcessStack.StartAsync();
        var connection = await CsvConnectionAsync(stack);

        var first = await stack.Api.SyncAsync(connection);
        var second = await stack.Api.SyncAsync(connection);

        // Job 1 is the discover_schema job CreateConnectionAsync ran, with the folder the real scheduler gave it.
        var discover = await stack.Api.PostAsync("jobs/get", new JsonObject { ["id"] = 1 });
        Assert.Equal("discover_schema", discover["job"]!["configType"]!.GetValue<string>());
        Assert.Equal("completed", discover["job"]!["status"]!.GetValue<string>());
        Assert.Equal(["logs.log", "tap_config.json"], Directory.GetFiles(stack.AttemptDirectory(1)).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToArray());
        Assert.Contains(ApiClient.LogLines(discover), l => l.Contains("Discovered 1 stream(s): exchange_rate", StringComparison.Ordinal));
        Assert.Equal(2, first["job"]!["id"]!.GetValue<long>());
        Assert.Equal(3, second["job"]!["id"]!.GetValue<long>());
        Assert.Equal("sync", second["job"]!["configType"]!.GetValue<string>());
        Assert.Equal("completed", second["job"]!["status"]!.GetValue<string>());
        foreach (var file in new[] { "logs.log", "catalog.json", "tap_config.json", "target_config.json", "singer_rendered_catalog.json" })
        {
            Assert.True(File.Exists(Path.Combine(stack.AttemptDirectory(2), file)), $"2/0/{file} missing");
            Assert.True(File.Exists(Path.Combine(stack.AttemptDirectory(3), file)), $"3/0/{file} missing");
        }
        Assert.False(Directory.Exists(Path.Combine(stack.AttemptDirectory(3), "normalize")), "no normalization for a CSV destination");
    }

    [Fact]
    public async Task A_csv_sync_writes_exchange_rate_raw_csv_with_ab_id_emitted_at_data_and_reports_the_records()
    {
        await using var stack = await InProcessStack.StartAsync();
        var connection = await CsvConnectionAsync(stack);

        var info = await stack.Api.SyncAsync(connection);

        var csv = Path.Combine(stack.LocalRoot, "data", "exchange_rate_raw.csv");
        var lines = await File.ReadAllLinesAsync(csv);
        Assert.Equal("ab_id,emitted_at,data", lines[0]);
        Assert.Equal(36, lines.Length - 1);
        Assert.Matches("^[0-9a-f-]{36},[0-9]{13},\"\\{\"\"CHF\"\":", lines[1]);
        Assert.Equal("succeeded", info["status"]!.GetValue<string>());
        Assert.Null(info["attempts"]);
        Assert.Contains(ApiClient.LogLines(info), l => l.Contains("sync summary: {\"status\":\"completed\",\"recordsSynced\":36", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_attempt_log_names_the_working_directory_and_the_docker_run_like_command_and_jobs_get_returns_its_last_100_lines()
    {
        await using var stack = await InProcessStack.StartAsync();
        var connection = await CsvConnectionAsync(stack);
        var job = (await stack.Api.SyncAsync(connection))["job"]!["id"]!.GetValue<long>();
        var path = Path.Combine(stack.AttemptDirectory(job), "logs.log");

        var lines = ApiClient.LogLines(await stack.Api.PostAsync("jobs/get", new JsonObject { ["id"] = job }));

        var fileLines = await File.ReadAllLinesAsync(path);
        Assert.InRange(fileLines.Length, 1, 100);
        Assert.Equal(fileLines, lines);
        Assert.All(lines, l => Assert.Contains($"({stack.AttemptDirectory(job)})", l, StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Preparing command:", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("sync summary: {\"status\":\"completed\",\"recordsSynced\":36", StringComparison.Ordinal));

        // A long log: only the last 100 lines, as 0.7.1's jobs/get tailed it.
        await File.AppendAllLinesAsync(path, Enumerable.Range(1, 250).Select(i => $"extra line {i}"));
        var tail = ApiClient.LogLines(await stack.Api.PostAsync("jobs/get", new JsonObject { ["id"] = job }));
        Assert.Equal(Enumerable.Range(151, 100).Select(i => $"extra line {i}"), tail);
    }

    [Fact]
    public async Task The_catalog_json_keeps_the_property_order_of_the_tutorials_exchange_rate_catalog()
    {
        await using var stack = await InProcessStack.StartAsync();
        var job = (await stack.Api.SyncAsync(await CsvConnectionAsync(stack)))["job"]!["id"]!.GetValue<long>();

        var catalog = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(stack.AttemptDirectory(job), "catalog.json")))!;

        var stream = Assert.Single(catalog["streams"]!.AsArray())!;
        Assert.Equal("full_refresh", stream["sync_mode"]!.GetValue<string>());
        Assert.Equal(TutorialCatalogOrder, stream["stream"]!["json_schema"]!["properties"]!.AsObject().Select(p => p.Key).ToArray());
    }

    [Fact]
    public async Task A_sync_to_an_unreachable_postgres_fails_the_job_with_the_reason_in_the_log_and_no_password()
    {
        await using var stack = await InProcessStack.StartAsync();
        var source = await stack.Api.CreateSourceAsync(ApiClient.FileDefinitionId, "covid", ApiClient.CovidFileConfig());
        var destination = await stack.Api.CreateDestinationAsync(ApiClient.PostgresDefinitionId, "nowhere", ApiClient.PostgresConfig(TestNames.FreePort(), "pw-never-logged"));
        var connection = await stack.Api.CreateConnectionAsync(source, destination);

        var info = await stack.Api.SyncAsync(connection);

        Assert.Equal("failed", info["status"]!.GetValue<string>());
        Assert.Equal("failed", info["job"]!["status"]!.GetValue<string>());
        var log = await File.ReadAllTextAsync(Path.Combine(stack.AttemptDirectory(info["job"]!["id"]!.GetValue<long>()), "logs.log"));
        Assert.Contains("Failed to connect", log, StringComparison.Ordinal);
        Assert.DoesNotContain("pw-never-logged", log, StringComparison.Ordinal);
    }

    private static async Task<string> CsvConnectionAsync(InProcessStack stack)
    {
        var source = await stack.Api.CreateSourceAsync(ApiClient.ExchangeRatesDefinitionId, "rates", ApiClient.ExchangeRatesConfig());
        var destination = await stack.Api.CreateDestinationAsync(ApiClient.LocalCsvDefinitionId, "csv", ApiClient.CsvConfig());
        return await stack.Api.CreateConnectionAsync(source, destination);
    }
}
