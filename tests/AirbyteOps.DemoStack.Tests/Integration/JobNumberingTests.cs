using AirbyteOps.DemoStack.Tests.Support;

namespace AirbyteOps.DemoStack.Tests.Integration;

/// <summary>
/// Job ids come from airbyte-db: 1, 2, ... in a new deployment (the connection's discover_schema job is 1, as the real
/// scheduler numbered every job), and 1 again after the jobs database is wiped.
/// </summary>
public sealed class JobNumberingTests
{
    [Fact]
    public async Task Job_ids_start_at_1_count_up_and_restart_at_1_after_the_database_volume_is_wiped()
    {
        await using var stack = await ContainerStack.StartAsync();
        var source = await stack.Api.CreateSourceAsync(ApiClient.ExchangeRatesDefinitionId, "rates", ApiClient.ExchangeRatesConfig());
        var destination = await stack.Api.CreateDestinationAsync(ApiClient.LocalCsvDefinitionId, "csv", ApiClient.CsvConfig());
        var connection = await stack.Api.CreateConnectionAsync(source, destination);

        var first = await stack.Api.SyncAsync(connection);
        var second = await stack.Api.SyncAsync(connection);
        await stack.RecreateDatabaseAsync();
        var afterWipe = await stack.Api.SyncAsync(connection);

        Assert.Equal(2, first["job"]!["id"]!.GetValue<long>());
        Assert.Equal(3, second["job"]!["id"]!.GetValue<long>());
        Assert.Equal(1, afterWipe["job"]!["id"]!.GetValue<long>());
        Assert.Equal("completed", afterWipe["job"]!["status"]!.GetValue<string>());
        // The new job 1 has a log of its own, not the old job 1's lines followed by new ones.
        var log = (await stack.ReadTreeAsync("/tmp/workspace/1/0"))["logs.log"];
        Assert.Equal(1, log.Split('\n').Count(l => l.Contains("Executing worker wrapper", StringComparison.Ordinal)));
    }
}
