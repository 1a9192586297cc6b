using System.Text.Json.Nodes;
using AirbyteOps.DemoStack.Tests.Support;
using AirbyteOps.StandIns.DemoStack.Worker;

namespace AirbyteOps.DemoStack.Tests.Unit;

/// <summary>Incremental syncs through the in-process scheduler and worker to the Local CSV destination (append).</summary>
public sealed class InProcessIncrementalSyncTests
{
    [Fact]
    public async Task An_incremental_csv_connection_appends_only_the_days_added_after_its_state()
    {
        await using var stack = await InProcessStack.StartAsync();
        var connection = await ConnectionAsync(stack, "incremental");
        Assert.Equal("succeeded", (await stack.Api.SyncAsync(connection))["status"]!.GetValue<string>());

        await AddDaysAsync(stack, "2020-12-22", "2020-12-23");
        var second = await stack.Api.SyncAsync(connection);

        Assert.Equal("succeeded", second["status"]!.GetValue<string>());
        var dates = await CsvDatesAsync(stack);
        Assert.Equal(38, dates.Count);
        Assert.Equal(dates.Count, dates.Distinct().Count());
        Assert.Equal(["2020-12-22", "2020-12-23"], dates[^2..]);
        Assert.Contains(ApiClient.LogLines(second), l => l.Contains("state start_date=2020-12-21: reading records after it", StringComparison.Ordinal));
        var job = second["job"]!["id"]!.GetValue<long>();
        var output = (await stack.Jobs.ListAttemptsAsync(job)).Single().Output!;
        Assert.Equal("2020-12-23", output["sync"]!["state"]!["state"]!["start_date"]!.GetValue<string>());
        Assert.Equal(connection, output["sync"]!["state"]!["connectionId"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_full_refresh_connection_rewrites_everything_including_the_added_days()
    {
        await using var stack = await InProcessStack.StartAsync();
        var connection = await ConnectionAsync(stack, "full_refresh");
        await stack.Api.SyncAsync(connection);

        await AddDaysAsync(stack, "2020-12-22");
        await stack.Api.SyncAsync(connection);

        Assert.Equal(37, (await CsvDatesAsync(stack)).Count);
    }

    [Fact]
    public async Task A_sync_that_fails_on_a_bad_added_row_keeps_the_state_and_the_next_one_starts_from_the_last_success()
    {
        await using var stack = await InProcessStack.StartAsync();
        var connection = await ConnectionAsync(stack, "incremental");
        await stack.Api.SyncAsync(connection);
        var file = Path.Combine(stack.LocalRoot, StandInDatasets.ExchangeRateExtraRowsPath);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllTextAsync(file, "{\"date\": \"2020-12-22\", \"USD\": 1.2}\nnot json\n");

        var failed = await stack.Api.SyncAsync(connection);
        Assert.Equal("failed", failed["status"]!.GetValue<string>());
        Assert.Contains(ApiClient.LogLines(failed), l => l.Contains("exchange_rate.jsonl line 2 is not a JSON object of rates", StringComparison.Ordinal));
        await File.WriteAllTextAsync(file, "{\"date\": \"2020-12-22\", \"USD\": 1.2}\n");
        var retried = await stack.Api.SyncAsync(connection);

        Assert.Equal("succeeded", retried["status"]!.GetValue<string>());
        Assert.Equal(37, (await CsvDatesAsync(stack)).Count);
        Assert.Equal("{\"start_date\":\"2020-12-21\"}", await File.ReadAllTextAsync(Path.Combine(stack.AttemptDirectory(retried["job"]!["id"]!.GetValue<long>()), "input_state.json")));
    }

    [Fact]
    public async Task Connections_create_refuses_a_sync_mode_0_7_1_does_not_have()
    {
        await using var stack = await InProcessStack.StartAsync();
        var source = await stack.Api.CreateSourceAsync(ApiClient.ExchangeRatesDefinitionId, "rates", ApiClient.ExchangeRatesConfig());
        var destination = await stack.Api.CreateDestinationAsync(ApiClient.LocalCsvDefinitionId, "csv", ApiClient.CsvConfig());

        var (status, body) = await stack.Api.TryPostAsync("connections/create", new JsonObject { ["sourceId"] = source, ["destinationId"] = destination, ["syncMode"] = "append", ["status"] = "active" });

        Assert.Equal(System.Net.HttpStatusCode.UnprocessableEntity, status);
        Assert.Contains("syncMode must be one of full_refresh, incremental, not 'append'", body["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private static async Task<string> ConnectionAsync(InProcessStack stack, string syncMode)
    {
        var source = await stack.Api.CreateSourceAsync(ApiClient.ExchangeRatesDefinitionId, "rates", ApiClient.ExchangeRatesConfig());
        var destination = await stack.Api.CreateDestinationAsync(ApiClient.LocalCsvDefinitionId, "csv", ApiClient.CsvConfig());
        return await stack.Api.CreateConnectionAsync(source, destination, syncMode);
    }

    private static async Task AddDaysAsync(InProcessStack stack, params string[] dates)
    {
        var file = Path.Combine(stack.LocalRoot, StandInDatasets.ExchangeRateExtraRowsPath);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.AppendAllLinesAsync(file, dates.Select(d => new JsonObject { ["date"] = d, ["USD"] = 1.2, ["CHF"] = 1.08 }.ToJsonString()));
    }

    private static async Task<List<string>> CsvDatesAsync(InProcessStack stack) =>
        (await File.ReadAllLinesAsync(Path.Combine(stack.LocalRoot, "data", "exchange_rate_raw.csv")))
            .Skip(1)
            .Select(l => System.Text.RegularExpressions.Regex.Match(l, "\"\"date\"\":\"\"([0-9-]+)\"\"").Groups[1].Value)
            .ToList();
}
