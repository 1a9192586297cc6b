using System.Text.Json.Nodes;
using AirbyteOps.Api;

namespace AirbyteOps.Tests.Api;

/// <summary>
/// The client against doubles of the real versions: every request it builds is valid under that version's real spec
/// (airbyte-reference/api/&lt;version&gt;/config.yaml), and so is every answer of the double (so the double is honest).
/// </summary>
public sealed class ApiContractTests
{
    public static TheoryData<string> Versions => [AirbyteReference.V071, AirbyteReference.V012, AirbyteReference.V020, AirbyteReference.V0273];

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task CreateConnections_sends_only_requests_the_version_accepts_and_selects_the_discovered_streams(string version)
    {
        var server = new AirbyteDouble(version, SyncBehaviour.JobAtOnce);
        using var api = new AirbyteApi(new Uri("http://airbyte.test/api/v1"), handler: server);
        var lines = new List<string>();

        await new CreateConnectionsOperation(api).RunAsync(new CreateConnectionsOptions(ConnectionsFile, "exchange-rate", _ => "x"), lines.Add);

        AssertAllValid(version, server);
        var create = Assert.Single(server.Exchanges, e => e.Route == "connections/create").Request!;
        if (version is AirbyteReference.V020 or AirbyteReference.V0273)
        {
            Assert.Null(create["syncMode"]);
            Assert.True(create["syncCatalog"]!["streams"]![0]!["config"]!["selected"]!.GetValue<bool>());
        }
        else
        {
            Assert.Equal("full_refresh", create["syncMode"]!.GetValue<string>());
            Assert.True(create["syncSchema"]!["streams"]![0]!["fields"]![0]!["selected"]!.GetValue<bool>());
        }
        Assert.DoesNotContain(server.Exchanges, e => e.Route == "workspaces/list");
        Assert.Contains(lines, l => l.Contains("airbyte/source-exchange", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task CreateConnections_incremental_syncs_the_streams_that_support_it_on_their_cursor_and_names_the_others(string version)
    {
        var server = new AirbyteDouble(version, SyncBehaviour.JobAtOnce) { OffersIncremental = true };
        using var api = new AirbyteApi(new Uri("http://airbyte.test/api/v1"), handler: server);
        var lines = new List<string>();

        await new CreateConnectionsOperation(api).RunAsync(
            new CreateConnectionsOptions(ConnectionsFile, "exchange-rate", _ => "x") { SyncMode = ConnectionSyncMode.Incremental }, lines.Add);

        AssertAllValid(version, server);
        var create = Assert.Single(server.Exchanges, e => e.Route == "connections/create").Request!;
        if (version is AirbyteReference.V020 or AirbyteReference.V0273)
        {
            var streams = create["syncCatalog"]!["streams"]!.AsArray();
            Assert.Equal(("incremental", "date", "append"), (streams[0]!["config"]!["syncMode"]!.GetValue<string>(), streams[0]!["config"]!["cursorField"]![0]!.GetValue<string>(), streams[0]!["config"]!["destinationSyncMode"]!.GetValue<string>()));
            Assert.Equal(("full_refresh", "overwrite"), (streams[1]!["config"]!["syncMode"]!.GetValue<string>(), streams[1]!["config"]!["destinationSyncMode"]!.GetValue<string>()));
            Assert.All(streams, s => Assert.True(s!["config"]!["selected"]!.GetValue<bool>()));
        }
        else
        {
            Assert.Equal("incremental", create["syncMode"]!.GetValue<string>());
            var streams = create["syncSchema"]!["streams"]!.AsArray();
            Assert.Equal(("incremental", "date"), (streams[0]!["syncMode"]!.GetValue<string>(), streams[0]!["cursorField"]![0]!.GetValue<string>()));
            Assert.Equal("full_refresh", streams[1]!["syncMode"]!.GetValue<string>());
        }
        var created = Assert.Single(lines, l => l.StartsWith("Created connection", StringComparison.Ordinal));
        Assert.Contains("incremental (exchange_rate); latest stay full_refresh", created, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task CreateConnections_by_default_syncs_even_incremental_capable_streams_in_full(string version)
    {
        var server = new AirbyteDouble(version, SyncBehaviour.JobAtOnce) { OffersIncremental = true };
        using var api = new AirbyteApi(new Uri("http://airbyte.test/api/v1"), handler: server);

        await new CreateConnectionsOperation(api).RunAsync(new CreateConnectionsOptions(ConnectionsFile, "exchange-rate", _ => "x"), _ => { });

        AssertAllValid(version, server);
        var create = Assert.Single(server.Exchanges, e => e.Route == "connections/create").Request!;
        if (version is AirbyteReference.V020 or AirbyteReference.V0273)
        {
            Assert.All(create["syncCatalog"]!["streams"]!.AsArray(), s =>
                Assert.Equal(("full_refresh", "overwrite"), (s!["config"]!["syncMode"]!.GetValue<string>(), s["config"]!["destinationSyncMode"]!.GetValue<string>())));
        }
        else
        {
            Assert.Equal("full_refresh", create["syncMode"]!.GetValue<string>());
            Assert.All(create["syncSchema"]!["streams"]!.AsArray(), s => Assert.NotEqual("incremental", s!["syncMode"]?.GetValue<string>()));
        }
    }

    [Fact]
    public void A_stream_that_supports_incremental_but_has_no_cursor_stays_full_refresh_and_a_source_defined_cursor_needs_none()
    {
        var discovered = new JsonObject { ["catalog"] = new JsonObject { ["streams"] = new JsonArray(
            new JsonObject { ["stream"] = new JsonObject { ["name"] = "no_cursor", ["jsonSchema"] = new JsonObject(), ["supportedSyncModes"] = new JsonArray("full_refresh", "incremental") } },
            new JsonObject { ["stream"] = new JsonObject { ["name"] = "own_cursor", ["jsonSchema"] = new JsonObject(), ["supportedSyncModes"] = new JsonArray("incremental"), ["sourceDefinedCursor"] = true } }) } };

        var request = ConnectionCatalog.ConnectionCreate("c", "s", "d", discovered, ConnectionSyncMode.Incremental);

        Assert.Equal(["own_cursor"], request.Incremental);
        Assert.Equal(["no_cursor"], request.FullRefreshOnly);
        var streams = request.Body["syncCatalog"]!["streams"]!.AsArray();
        Assert.Equal("full_refresh", streams[0]!["config"]!["syncMode"]!.GetValue<string>());
        Assert.Equal(("incremental", 0), (streams[1]!["config"]!["syncMode"]!.GetValue<string>(), streams[1]!["config"]!["cursorField"]!.AsArray().Count));
    }

    [Theory]
    [InlineData(AirbyteReference.V071, SyncBehaviour.StatusAfterJob, 40)]
    [InlineData("tutorial-b9bc9c8", SyncBehaviour.BlockingGivesUp, 350)]
    [InlineData(AirbyteReference.V012, SyncBehaviour.JobAtOnce, 350)]
    [InlineData(AirbyteReference.V0273, SyncBehaviour.JobAtOnce, 350)]
    public async Task Sync_reports_the_outcome_and_records_and_every_log_line_once_whatever_connections_sync_answers(string version, SyncBehaviour behaviour, int linesPerPoll)
    {
        var server = new AirbyteDouble(version, behaviour) { LinesPerPoll = linesPerPoll };
        using var api = new AirbyteApi(new Uri("http://airbyte.test/api/v1"), handler: server);
        await new CreateConnectionsOperation(api).RunAsync(new CreateConnectionsOptions(ConnectionsFile, "exchange-rate", _ => "x"), _ => { });
        var lines = new List<string>();

        var result = await new SyncOperation(api).RunAsync(
            new SyncOptions("exchange-rate", TimeSpan.FromSeconds(30)) { PollInterval = TimeSpan.FromMilliseconds(5), AirbyteVersion = version.TrimStart('v') },
            l => { lock (lines) lines.Add(l); });

        Assert.Equal(("succeeded", 7L, 36L, 16387L), (result.Status, result.JobId, result.Records, result.Bytes));
        var printed = lines.Where(l => l.StartsWith("  [7/0] ", StringComparison.Ordinal)).Select(l => l["  [7/0] ".Length..]).ToList();
        Assert.Equal(server.Log, printed);
        AssertAllValid(version, server);
    }

    [Fact]
    public async Task Sync_sees_the_new_job_at_the_find_interval_and_its_end_when_the_blocking_call_answers_not_at_the_next_poll()
    {
        var listed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = new AirbyteDouble(AirbyteReference.V071, SyncBehaviour.StatusAfterJob) { ListedAfter = listed.Task, EndsAt = ended.Task };
        using var api = new AirbyteApi(new Uri("http://airbyte.test/api/v1"), handler: server);
        await new CreateConnectionsOperation(api).RunAsync(new CreateConnectionsOptions(ConnectionsFile, "exchange-rate", _ => "x"), _ => { });
        int Count(string route)
        {
            lock (server.Exchanges) return server.Exchanges.Count(e => e.Route == route);
        }

        // jobs/get every 10 minutes: the job's end can only be seen in time through the call's answer, and the job, listed late,
        // only through jobs/list asked at the find interval.
        var sync = new SyncOperation(api).RunAsync(
            new SyncOptions("exchange-rate", TimeSpan.FromMinutes(30)) { PollInterval = TimeSpan.FromMinutes(10), FindInterval = TimeSpan.FromMilliseconds(20), FindFor = TimeSpan.FromMinutes(1), AirbyteVersion = "0.7.1-alpha" }, _ => { });
        await Until(() => Count("jobs/list") >= 3); // the list before the call, then at least two without the job
        listed.SetResult();
        await Until(() => Count("jobs/get") >= 1);
        ended.SetResult();
        var result = await sync.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(("succeeded", 7L, 36L), (result.Status, result.JobId, result.Records));
        Assert.Equal(2, Count("jobs/get")); // once while it ran, once after the call answered
        AssertAllValid(AirbyteReference.V071, server);
    }

    [Fact]
    public async Task A_job_that_is_not_listed_is_looked_for_at_the_find_interval_only_for_the_first_moments_then_at_the_poll_interval()
    {
        var never = new TaskCompletionSource();
        var server = new AirbyteDouble(AirbyteReference.V071, SyncBehaviour.StatusAfterJob) { ListedAfter = never.Task, EndsAt = never.Task };
        using var api = new AirbyteApi(new Uri("http://airbyte.test/api/v1"), handler: server);
        await new CreateConnectionsOperation(api).RunAsync(new CreateConnectionsOptions(ConnectionsFile, "exchange-rate", _ => "x"), _ => { });
        int Count()
        {
            lock (server.Exchanges) return server.Exchanges.Count(e => e.Route == "jobs/list");
        }

        // Asked every millisecond for 0.2 s, then every 10 minutes: nothing more is asked between 1 s and 2 s.
        using var stop = new CancellationTokenSource();
        var sync = new SyncOperation(api).RunAsync(new SyncOptions("exchange-rate", TimeSpan.FromMinutes(30))
        {
            PollInterval = TimeSpan.FromMinutes(10), FindInterval = TimeSpan.FromMilliseconds(1), FindFor = TimeSpan.FromMilliseconds(200), AirbyteVersion = "0.7.1-alpha",
        }, _ => { }, stop.Token);
        await Task.Delay(TimeSpan.FromSeconds(1));
        var atOne = Count();
        await Task.Delay(TimeSpan.FromSeconds(1));
        var atTwo = Count();
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sync);

        Assert.True(atOne >= 3, $"jobs/list asked {atOne} times in the first second"); // the list before the call, then the fast looks
        Assert.Equal(atOne, atTwo);
    }

    [Fact]
    public void The_sync_call_waits_longer_than_the_blocking_servers_own_120_s()
    {
        Assert.True(SyncOperation.SyncCallTimeout > TimeSpan.FromSeconds(120));
    }

    /// <summary>Waits for <paramref name="condition"/>, at most a minute (then the test fails, instead of hanging).</summary>
    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail("not reached within a minute");
            await Task.Delay(10);
        }
    }

    private static string ConnectionsFile => Path.Combine(RepositoryPaths.Root, "build", "connections.yaml");

    private static void AssertAllValid(string version, AirbyteDouble server)
    {
        var spec = OpenApiContract.For(version);
        var problems = server.Exchanges.SelectMany(e => spec.CheckRequest(e.Route, e.Request)
            .Concat(e.Status == 200 ? spec.CheckResponse(e.Route, e.Status, e.Response) : [])).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.DoesNotContain(server.Exchanges, e => e.Status == 422);
    }
}
