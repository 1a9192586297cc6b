using AirbyteOps.Api;
using AirbyteOps.Compose;
using AirbyteOps.Destinations;
using AirbyteOps.Docker;
using AirbyteOps.Faults.Tests.Support;
using AirbyteOps.Postgres;
using AirbyteOps.Setups;
using AirbyteOps.Workspace;
using Xunit.Abstractions;

namespace AirbyteOps.Faults.Tests;

/// <summary>
/// Case 1 (engine down before a target starts) and case 6 (the rest of DESIGN.md's "What bad input gets"): a setup that
/// does not exist, neither server nor data volume for RestoreSetup, Sync of an unknown connection, Sync against a
/// server that is down or hangs.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class BadInputTests(EngineFixture fixture, ITestOutputHelper output) : IDisposable
{
    private readonly string _artifacts = Path.Combine(Path.GetTempPath(), TestNames.Unique("artifacts"));
    private readonly List<string> _log = [];

    public static TheoryData<string> Targets => ["ExportSetup", "RestoreSetup", "StartPostgres", "ComposeUp", "WipeVolumes", "Logs", "ExtractNormalization", "DbtRun", "LocalData"];

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task Engine_down_before_a_target_starts_is_one_line_and_nothing_is_written(string target)
    {
        await using var proxy = EngineStopStandIn.Start();
        proxy.Cut(); // the engine is down from the start: its socket refuses connections
        Directory.CreateDirectory(_artifacts);
        var archive = Path.Combine(_artifacts, "setup.tar");
        await using (var file = File.Create(archive)) await ConfigTree.Tar(ConfigTree.Items("x"), "data/").CopyToAsync(file);
        var compose = Path.Combine(_artifacts, "docker-compose.yaml");
        await File.WriteAllTextAsync(compose, $"services:\n  server:\n    image: {TestImages.Busybox}\n    container_name: {TestNames.Unique("server")}\n");
        var local = Directory.CreateDirectory(Path.Combine(_artifacts, "local")).FullName;
        var before = TempDirectory.Listing(_artifacts);
        var absent = TestNames.Unique("absent");
        using var engine = DockerEngine.Connect(proxy.DockerHost);

        Func<Task> run = target switch
        {
            "ExportSetup" => () => new ExportSetupOperation(engine).RunAsync(new ExportOptions { ConfigRoot = "/data", HelperImage = TestImages.Busybox, SecretsMode = AirbyteOps.Setups.Secrets.SecretsMode.Sidecar, ExtraSecretKeys = [], Archive = false, Overwrite = false, Setup = "s", ArtifactsDirectory = _artifacts, ServerContainer = absent, DataVolume = absent }, _log.Add),
            "RestoreSetup" => () => new RestoreSetupOperation(engine).RunAsync(new RestoreOptions { ConfigRoot = "/data", HelperImage = TestImages.Busybox, ForceVersion = false, AllowMissingSecrets = false, HealthTimeout = TimeSpan.FromMinutes(2), Setup = archive, ArtifactsDirectory = _artifacts, ServerContainer = absent, DataVolume = absent }, _log.Add),
            "StartPostgres" => () => new StartPostgresOperation(engine).RunAsync(new PostgresOptions(absent, TestImages.Postgres, TestNames.FreePort(), "postgres", "pw", "postgres", TimeSpan.FromSeconds(10)), _log.Add),
            "ComposeUp" => () => new ComposeUpOperation(engine).RunAsync(new ComposeOptions(compose, absent, null, new Uri($"http://127.0.0.1:{TestNames.FreePort()}/api/v1"), TimeSpan.FromSeconds(10)), _log.Add),
            "WipeVolumes" => () => new WipeVolumesOperation(engine).RunAsync(new ComposeOptions(compose, absent, null, new Uri($"http://127.0.0.1:{TestNames.FreePort()}/api/v1"), TimeSpan.FromSeconds(10)), _log.Add),
            "Logs" => () => new LogsOperation(engine).RunAsync(new LogsOptions { WorkspaceVolume = absent, HelperImage = TestImages.Busybox, ArtifactsDirectory = _artifacts, Copy = false, Follow = false }, _log.Add),
            "ExtractNormalization" => () => new ExtractNormalizationOperation(engine).RunAsync(new ExtractNormalizationOptions { WorkspaceVolume = absent, HelperImage = TestImages.Busybox, ArtifactsDirectory = _artifacts }, _log.Add),
            "DbtRun" => () => new DbtRunOperation(engine).RunAsync(new DbtRunOptions { Mode = DbtMode.Container, WorkspaceVolume = absent, NormalizationImage = TestImages.Normalization, HelperImage = TestImages.Busybox, ArtifactsDirectory = _artifacts, DbtExecutable = "dbt", Timeout = TimeSpan.FromMinutes(1) }, _log.Add),
            "LocalData" => () => new LocalDataOperation(engine).RunAsync(new LocalDataOptions(local, TestImages.Busybox), _log.Add),
            _ => throw new ArgumentOutOfRangeException(nameof(target)),
        };
        var error = await Assert.ThrowsAsync<DockerOpsException>(run);

        output.WriteLine(error.Message);
        OneLine.Assert(error, "does not answer", proxy.DockerHost, "./build.sh EnsureDocker");
        Assert.Equal(before, TempDirectory.Listing(_artifacts));
        Assert.Null(await fixture.Engine.Containers.FindAsync(absent));
        Assert.Null(await fixture.Engine.Volumes.FindAsync(absent));
    }

    [Fact]
    public async Task A_setup_that_does_not_exist_is_one_line_saying_how_to_make_it_and_nothing_is_written()
    {
        Directory.CreateDirectory(_artifacts);
        var error = await Assert.ThrowsAsync<AirbyteOps.Setups.SetupException>(() => new RestoreSetupOperation(fixture.Engine).RunAsync(
            new RestoreOptions { ConfigRoot = "/data", HelperImage = TestImages.Busybox, ForceVersion = false, AllowMissingSecrets = false, HealthTimeout = TimeSpan.FromMinutes(2), Setup = "no-such-setup", ArtifactsDirectory = _artifacts, ServerContainer = TestNames.Unique("server"), DataVolume = TestNames.Unique("data") }, _log.Add));

        output.WriteLine(error.Message);
        OneLine.Assert(error, "Setup 'no-such-setup' not found", Path.Combine(_artifacts, "setups", "no-such-setup"), "./build.sh ExportSetup --setup no-such-setup");
        Assert.Empty(TempDirectory.Listing(_artifacts));
    }

    [Fact]
    public async Task RestoreSetup_with_neither_the_server_nor_the_data_volume_is_one_line_and_creates_neither()
    {
        Directory.CreateDirectory(_artifacts);
        var archive = Path.Combine(_artifacts, "setup.tar");
        await using (var file = File.Create(archive)) await ConfigTree.Tar(ConfigTree.Items("x"), "data/").CopyToAsync(file);
        var before = TempDirectory.Listing(_artifacts);
        var (server, volume) = (TestNames.Unique("server"), TestNames.Unique("data"));

        var error = await Assert.ThrowsAsync<DockerOpsException>(() => new RestoreSetupOperation(fixture.Engine).RunAsync(
            new RestoreOptions { ConfigRoot = "/data", HelperImage = TestImages.Busybox, ForceVersion = false, AllowMissingSecrets = false, HealthTimeout = TimeSpan.FromMinutes(2), Setup = archive, ArtifactsDirectory = _artifacts, ServerContainer = server, DataVolume = volume }, _log.Add));

        output.WriteLine(error.Message);
        OneLine.Assert(error, $"Neither the server container '{server}' nor the data volume '{volume}' exists", "./build.sh ComposeUp", "--data-volume");
        Assert.Null(await fixture.Engine.Containers.FindAsync(server));
        Assert.Null(await fixture.Engine.Volumes.FindAsync(volume));
        Assert.Equal(before, TempDirectory.Listing(_artifacts));
    }

    [Fact]
    public async Task Sync_of_an_unknown_connection_names_the_ones_there_are_and_starts_nothing()
    {
        using var server = new TinyAirbyteServer(("9e1d0000-0000-4000-8000-000000000001", "exchange-rate"), ("9e1d0000-0000-4000-8000-000000000002", "covid"));

        var error = await Assert.ThrowsAsync<AirbyteApiException>(() => SyncAsync(server.BaseUrl, "covid-19"));

        output.WriteLine(error.Message);
        OneLine.Assert(error, "No connection 'covid-19'", "exchange-rate, covid");
        Assert.Equal(["workspaces/get_by_slug", "connections/list"], server.Routes);
    }

    [Fact]
    public async Task Sync_when_the_deployment_has_no_connections_says_how_to_create_them()
    {
        using var server = new TinyAirbyteServer();

        var error = await Assert.ThrowsAsync<AirbyteApiException>(() => SyncAsync(server.BaseUrl, "covid"));

        output.WriteLine(error.Message);
        OneLine.Assert(error, "No connection 'covid'", "./build.sh CreateConnections");
        Assert.DoesNotContain("connections/sync", server.Routes);
    }

    [Fact]
    public async Task Sync_against_a_server_that_is_down_is_one_line_naming_the_url_and_ComposeUp()
    {
        var url = new Uri($"http://127.0.0.1:{TestNames.FreePort()}/api/v1");

        var error = await Assert.ThrowsAsync<AirbyteApiException>(() => SyncAsync(url, "covid"));

        output.WriteLine(error.Message);
        OneLine.Assert(error, $"The Airbyte server at {url}/ does not answer", "./build.sh ComposeUp");
        Assert.Empty(_log);
    }

    [Fact]
    public async Task A_server_that_accepts_but_never_answers_is_the_same_one_line_error_not_a_timeout_exception()
    {
        // A hung server (or one still starting): the connection is accepted, no response ever comes.
        using var hung = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        hung.Start();
        var url = new Uri($"http://127.0.0.1:{((System.Net.IPEndPoint)hung.LocalEndpoint).Port}/api/v1");
        using var api = new AirbyteApi(url, TimeSpan.FromSeconds(1));

        var error = await Assert.ThrowsAsync<AirbyteApiException>(() => SyncOperation.FindConnectionAsync(api, "covid"));

        output.WriteLine(error.Message);
        OneLine.Assert(error, $"The Airbyte server at {url}/ does not answer", "workspaces/get_by_slug", "./build.sh ComposeUp");
    }

    public void Dispose()
    {
        if (Directory.Exists(_artifacts)) Directory.Delete(_artifacts, recursive: true);
    }

    private async Task SyncAsync(Uri server, string connection)
    {
        using var api = new AirbyteApi(server);
        await new SyncOperation(api).RunAsync(new SyncOptions(connection, TimeSpan.FromSeconds(30)), _log.Add);
    }
}
