using System.Text.Json.Nodes;
using AirbyteOps.Api;
using AirbyteOps.DemoStack.Tests.Support;
using AirbyteOps.StandIns.DemoStack.Worker;

namespace AirbyteOps.DemoStack.Tests.Unit;

/// <summary>
/// CreateConnections --sync-mode against the in-process stand-in: the connection it creates from build/connections.yaml
/// syncs incrementally (or not), so the sequence needs no hand-made API request.
/// </summary>
public sealed class InProcessCreateConnectionsTests
{
    [Theory]
    [InlineData(ConnectionSyncMode.Incremental)]
    [InlineData(ConnectionSyncMode.FullRefresh)]
    public async Task The_created_exchange_rate_connection_appends_only_new_days_when_incremental_and_rewrites_all_when_not(ConnectionSyncMode mode)
    {
        await using var stack = await InProcessStack.StartAsync();
        using var api = new AirbyteApi(new Uri(stack.BaseUrl + "/api/v1"));
        var lines = new List<string>();
        await new CreateConnectionsOperation(api).RunAsync(
            new CreateConnectionsOptions(Path.Combine(RepositoryPaths.Root, "build", "connections.yaml"), "exchange-rate", _ => "x") { SyncMode = mode }, lines.Add);
        var connection = (await stack.Api.PostAsync("connections/list", new JsonObject { ["workspaceId"] = await WorkspaceAsync(stack) }))["connections"]!.AsArray()
            .Single(c => c!["name"]!.GetValue<string>() == "exchange-rate")!["connectionId"]!.GetValue<string>();
        Assert.Equal("succeeded", (await stack.Api.SyncAsync(connection))["status"]!.GetValue<string>());
        var before = await CsvDatesAsync(stack);
        Assert.NotEmpty(before);

        var file = Path.Combine(stack.LocalRoot, StandInDatasets.ExchangeRateExtraRowsPath);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.AppendAllLinesAsync(file, new[] { "2021-02-01", "2021-02-02" }.Select(d => new JsonObject { ["date"] = d, ["USD"] = 1.2 }.ToJsonString()));
        var second = await stack.Api.SyncAsync(connection);
        Assert.Equal("succeeded", second["status"]!.GetValue<string>());
        var attempt = (await stack.Jobs.ListAttemptsAsync(second["job"]!["id"]!.GetValue<long>())).Single();
        var records = attempt.Output!["sync"]!["standardSyncSummary"]!["recordsSynced"]!.GetValue<long>();
        var after = await CsvDatesAsync(stack);

        var created = Assert.Single(lines, l => l.StartsWith("Created connection", StringComparison.Ordinal));
        if (mode == ConnectionSyncMode.Incremental)
        {
            Assert.EndsWith("incremental (exchange_rate).", created, StringComparison.Ordinal);
            Assert.Equal([.. before, "2021-02-01", "2021-02-02"], after);
            Assert.Equal(2, records); // only the new days were read
        }
        else
        {
            Assert.EndsWith("full_refresh.", created, StringComparison.Ordinal);
            // Rewritten: the first sync's rows once more, not appended twice.
            Assert.Equal(after.Count, after.Distinct().Count());
            Assert.Contains("2021-02-02", after);
            Assert.Equal(after.Count, records); // everything was read again
        }
    }

    private static async Task<string> WorkspaceAsync(InProcessStack stack) =>
        (await stack.Api.PostAsync("workspaces/get_by_slug", new JsonObject { ["slug"] = "default" }))["workspaceId"]!.GetValue<string>();

    private static async Task<List<string>> CsvDatesAsync(InProcessStack stack) =>
        (await File.ReadAllLinesAsync(Path.Combine(stack.LocalRoot, "data", "exchange_rate_raw.csv")))
            .Skip(1)
            .Select(l => System.Text.RegularExpressions.Regex.Match(l, "\"\"date\"\":\"\"([0-9-]+)\"\"").Groups[1].Value)
            .ToList();
}
