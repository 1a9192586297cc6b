using System.Net.Http.Headers;
using System.Text;
using AirbyteOps.Compose;
using AirbyteOps.Docker;

namespace AirbyteOps.DbEraStack.Tests.Integration;

/// <summary>
/// The database-era compose file through the real ComposeUp and WipeVolumes operations and the real docker-compose:
/// the file and .env copied with the container names, volume names and published ports made unique to the test (the
/// real names may be in use on this engine), nothing else changed.
/// </summary>
public sealed class ComposeTests : IAsyncLifetime
{
    private readonly TempDirectory _folder = new("abops-test-dbera-compose-");
    private readonly string _id = TestNames.Id();
    private readonly int _webPort = TestNames.FreePort();
    private readonly int _apiPort = TestNames.FreePort();
    private readonly DockerEngine _engine = DockerEngine.Connect();
    private string Project => $"abops-test-{_id}";
    private string ComposeFilePath => Path.Combine(_folder.Path, "docker-compose.yaml");
    private ComposeOptions Options => new(ComposeFilePath, Project, null, new Uri($"http://127.0.0.1:{_apiPort}/api/v1"), TimeSpan.FromMinutes(3));
    private string[] Volumes => [$"{Project}-airbyte_db", $"{Project}-airbyte_data", $"{Project}-airbyte_workspace"];

    public Task InitializeAsync()
    {
        var source = Path.Combine(RepositoryPaths.Root, "src", "StandIns", "DbEraStack");
        var compose = File.ReadAllText(Path.Combine(source, "docker-compose.yaml"))
            .Replace("container_name: airbyte-", $"container_name: {Project}-airbyte-", StringComparison.Ordinal)
            .Replace("\"127.0.0.1:8000:8000\"", $"\"127.0.0.1:{_webPort}:8000\"", StringComparison.Ordinal)
            .Replace("\"127.0.0.1:8001:8001\"", $"\"127.0.0.1:{_apiPort}:8001\"", StringComparison.Ordinal)
            // The proxy finds the server by its container name, as the real one does (PROXY_PASS_API's default): the renamed one.
            .Replace("      - BASIC_AUTH_PROXY_TIMEOUT=${BASIC_AUTH_PROXY_TIMEOUT}", $"      - BASIC_AUTH_PROXY_TIMEOUT=${{BASIC_AUTH_PROXY_TIMEOUT}}\n      - PROXY_PASS_API=http://{Project}-airbyte-server:8001", StringComparison.Ordinal);
        var env = File.ReadAllText(Path.Combine(source, ".env"))
            .Replace("COMPOSE_PROJECT_NAME=airbyte", $"COMPOSE_PROJECT_NAME={Project}", StringComparison.Ordinal)
            .Replace("_MOUNT=airbyte_", $"_MOUNT={Project}-airbyte_", StringComparison.Ordinal);
        Assert.Equal(4, compose.Split($"container_name: {Project}-").Length - 1);
        Assert.Contains($"PROXY_PASS_API=http://{Project}-airbyte-server:8001", compose, StringComparison.Ordinal);
        File.WriteAllText(ComposeFilePath, compose);
        File.WriteAllText(Path.Combine(_folder.Path, ".env"), env);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task ComposeUp_brings_it_up_healthy_behind_basic_auth_and_WipeVolumes_removes_its_volumes()
    {
        var log = new List<string>();
        var up = await new ComposeUpOperation(_engine).RunAsync(Options, log.Add);
        Assert.False(up.AlreadyUp);
        foreach (var container in new[] { "airbyte-db", "airbyte-server", "airbyte-proxy" })
            Assert.True((await _engine.Containers.FindAsync($"{Project}-{container}"))?.IsRunning, container);
        Assert.Equal(0, (await _engine.Containers.FindAsync($"{Project}-airbyte-bootloader"))?.ExitCode);
        foreach (var volume in Volumes) Assert.NotNull(await _engine.Volumes.FindAsync(volume));

        // The proxy on 127.0.0.1 only, asking for the .env's credentials.
        var proxy = await _engine.Containers.FindAsync($"{Project}-airbyte-proxy");
        Assert.All(proxy!.Ports.Where(p => p.HostPort > 0), p => Assert.Equal("127.0.0.1", p.HostIp));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_apiPort}/api/v1/") };
        Assert.Equal(401, (int)(await http.GetAsync("health")).StatusCode);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("airbyte:password")));
        var workspaces = await http.PostAsync("workspaces/list", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Contains("\"slug\":\"default\"", await workspaces.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var again = await new ComposeUpOperation(_engine).RunAsync(Options, log.Add);
        Assert.True(again.AlreadyUp);

        var wiped = await new WipeVolumesOperation(_engine).RunAsync(Options, log.Add);
        Assert.Equal(Volumes.Order(StringComparer.Ordinal), wiped.Volumes.Order(StringComparer.Ordinal));
        foreach (var volume in Volumes) Assert.Null(await _engine.Volumes.FindAsync(volume));
        Assert.Empty(await _engine.Containers.ListAsync([$"com.docker.compose.project={Project}"]));
    }

    public async Task DisposeAsync()
    {
        foreach (var container in await _engine.Containers.ListAsync([$"com.docker.compose.project={Project}"]))
            await _engine.Containers.RemoveAsync(container.Id, force: true);
        foreach (var volume in Volumes) await _engine.Volumes.RemoveAsync(volume);
        foreach (var network in new[] { $"{Project}_airbyte_internal", $"{Project}_airbyte_public", $"{Project}_default" }) await _engine.Networks.RemoveAsync(network);
        _folder.Dispose();
    }
}
