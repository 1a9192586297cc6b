using AirbyteOps.Docker;
using AirbyteOps.Setups.Database;

namespace AirbyteOps.Setups.Tests.Database;

/// <summary>
/// A database container's first start, as the official image (and its stand-in) does it: initdb, a temporary server that
/// takes no TCP connection (listen_addresses '') while the init scripts run, then that server stopped and the real one
/// started. Airbyte's server health (0.7: the config files) does not cover the database, so ComposeUp can return while
/// airbyte-db is still in that phase; a pg_dump or psql sent then reaches the temporary server and is cut off when it
/// stops ("pg_dump: detail: Query was: ..."). Ready means the real server answers.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class FirstStartReadinessTests(EngineFixture fixture) : IAsyncLifetime
{
    private readonly string _name = TestNames.Unique("first-start-db");
    private readonly string _init = Path.Combine(Path.GetTempPath(), TestNames.Unique("initdb"));
    private readonly List<string> _log = [];

    private DockerEngine Engine => fixture.Engine;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_init);
        // An init script that keeps the temporary server up for a while, as a long schema script would.
        File.WriteAllText(Path.Combine(_init, "slow.sh"), "sleep 6\n");
        await Engine.Containers.CreateAsync(new ContainerSpec(_name, TestImages.Postgres)
        {
            Environment = new Dictionary<string, string> { ["POSTGRES_USER"] = "docker", ["POSTGRES_PASSWORD"] = "docker", ["POSTGRES_DB"] = "airbyte" },
            Mounts = [new VolumeMount(_init, "/docker-entrypoint-initdb.d", ReadOnly: true)],
            NetworkMode = "none",
            Labels = new Dictionary<string, string> { [Labels.Managed] = "true" },
        });
    }

    [Fact]
    public async Task While_the_init_scripts_run_on_the_temporary_server_the_database_is_not_ready_and_the_wait_ends_on_the_real_one()
    {
        await Engine.Containers.StartAsync(_name);
        var shell = new PostgresShell(Engine, _name, "docker");
        // Given: the temporary server answers over the socket (its listen_addresses is empty).
        await Readiness.WaitUntilAsync("the temporary server to answer", async ct =>
            await shell.TryQueryAsync("postgres", "SELECT 'listen=' || current_setting('listen_addresses')", ct) == "listen=",
            TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(100));

        // Then: not ready, and no version is told from it.
        Assert.False(await shell.ReadyAsync(CancellationToken.None));
        Assert.Null(await shell.TryServerVersionAsync(CancellationToken.None));
        Assert.Null(await shell.TryServerVersionAndDatabasesAsync(CancellationToken.None));
        Assert.Contains("temporary server", await shell.NotReadyBecauseAsync(CancellationToken.None), StringComparison.Ordinal);

        // When: the deployment's database is made sure to answer, it is the real server that answers.
        var info = await Engine.Containers.FindAsync(_name);
        await new DatabaseTarget(info!, "airbyte", "docker").EnsureRunningAsync(Engine, TimeSpan.FromSeconds(60), _log.Add, CancellationToken.None);
        Assert.Equal("*", await shell.QueryAsync("postgres", "SELECT current_setting('listen_addresses')", CancellationToken.None));
        Assert.Equal(15, (await shell.ServerVersionAsync(CancellationToken.None)).Major);
    }

    [Fact]
    public async Task A_snapshot_session_opened_before_the_real_server_answers_gives_no_version_at_once_instead_of_waiting_its_timeout()
    {
        // Given: the database's first start has just begun (no server yet, or the temporary one while the init script sleeps).
        await Engine.Containers.StartAsync(_name);
        var info = await Engine.Containers.FindAsync(_name);
        var target = new DatabaseTarget(info!, "airbyte", "docker");
        using var giveUp = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        // When: ExportSetup's session asks its first question with a long timeout.
        await using var session = SnapshotSession.Start(Engine, target);
        var version = await session.TryVersionAsync(TimeSpan.FromMinutes(10), giveUp.Token);

        // Then: no version, told as soon as psql ended or the temporary server answered (the bound running out would have thrown).
        Assert.Null(version);
    }

    public async Task DisposeAsync()
    {
        await Engine.Containers.RemoveAsync(_name, force: true, removeAnonymousVolumes: true);
        Directory.Delete(_init, recursive: true);
    }
}
