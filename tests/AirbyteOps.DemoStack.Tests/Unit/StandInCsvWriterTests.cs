using System.Text.Json.Nodes;
using AirbyteOps.StandIns.DemoStack.Worker;
using AirbyteOps.DemoStack.Tests.Support;

namespace AirbyteOps.DemoStack.Tests.Unit;

public sealed class StandInCsvWriterTests
{
    [Theory]
    [InlineData("/local/data", "data/exchange_rate_raw.csv")]
    [InlineData("data", "data/exchange_rate_raw.csv")]
    [InlineData("/local", "exchange_rate_raw.csv")]
    public void Destination_path_is_resolved_under_the_local_mount(string configured, string expected)
    {
        using var local = new TempDirectory();

        var destination = new StandInCsvWriter(new JsonObject { ["destination_path"] = configured }, local.Path);

        Assert.Equal(Path.Combine(local.Path, expected), destination.FilePath("exchange_rate"));
    }

    [Fact]
    public void A_destination_path_that_leaves_the_local_mount_is_refused()
    {
        using var local = new TempDirectory();

        var error = Assert.Throws<InvalidDataException>(() => new StandInCsvWriter(new JsonObject { ["destination_path"] = "/local/../../etc" }, local.Path));

        Assert.Contains("leaves the /local mount", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_write_replaces_the_file_full_refresh()
    {
        using var local = new TempDirectory();
        var destination = new StandInCsvWriter(new JsonObject { ["destination_path"] = "/local/data" }, local.Path);
        RawRecord Record(int n) => new(Guid.NewGuid(), DateTimeOffset.UnixEpoch.AddSeconds(n), $"{{\"n\":{n},\"s\":\"a,b\"}}");

        await destination.WriteStreamAsync("s", [Record(1), Record(2), Record(3)]);
        await destination.WriteStreamAsync("s", [Record(4)]);

        var lines = await File.ReadAllLinesAsync(destination.FilePath("s"));
        Assert.Equal(2, lines.Length);
        Assert.EndsWith(",4000,\"{\"\"n\"\":4,\"\"s\"\":\"\"a,b\"\"}\"", lines[1], StringComparison.Ordinal);
    }
}
