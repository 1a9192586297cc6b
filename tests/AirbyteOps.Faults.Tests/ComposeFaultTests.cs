using System.Net;
using System.Net.Sockets;
using AirbyteOps.Compose;
using AirbyteOps.Docker;
using AirbyteOps.Faults.Tests.Support;
using Xunit.Abstractions;

namespace AirbyteOps.Faults.Tests;

/// <summary>
/// Case 5 (compose side): ComposeUp through the real compose CLI when a container of another project holds a
/// container_name, when the published port is taken, and when the compose file does not parse. StartPostgres's own name,
/// port and password conflicts are covered in tests/AirbyteOps.Tests/Postgres.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class ComposeFaultTests(EngineFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), TestNames.Unique("compose"));
    private readonly string _project = TestNames.Unique("compose");
    private readonly List<string> _containers = [];
    private readonly List<string> _log = [];
    private DockerEngine Engine => fixture.Engine;

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        return Task.CompletedTask;
    }

    private ComposeOptions Write(string yaml)
    {
        var file = Path.Combine(_dir, "docker-compose.yaml");
        File.WriteAllText(file, yaml);
        var env = Path.Combine(_dir, ".env");
        File.WriteAllText(env, "");
        return new ComposeOptions(file, _project, env, new Uri($"http://127.0.0.1:{TestNames.FreePort()}/api/v1"), TimeSpan.FromSeconds(60));
    }

    /// <summary>One busybox service with a fixed container_name (and a port on 127.0.0.1 when given), as compose YAML.</summary>
    private string Service(string name, string containerName, string? ports = null)
    {
        _containers.Add(containerName);
        var lines = new List<string>
        {
            $"  {name}:",
            $"    image: {TestImages.Busybox}",
            $"    container_name: {containerName}",
            "    command: [\"sleep\", \"600\"]",
        };
        lines.Add(ports is null ? "    network_mode: none" : $"    ports: [\"{ports}\"]");
        return string.Join('\n', lines) + "\n";
    }

    private async Task<IReadOnlyList<ContainerInfo>> ProjectContainersAsync() =>
        await Engine.Containers.ListAsync([$"com.docker.compose.project={_project}"]);

    [Fact]
    public async Task A_container_of_another_project_holding_a_container_name_is_named_in_one_line_and_left_alone()
    {
        // Another project's "airbyte-server": same name as our file's server, created outside this compose project.
        var squatter = TestNames.Unique("server");
        var squatterId = await Engine.Containers.CreateAsync(new ContainerSpec(squatter, TestImages.Busybox)
        {
            Command = ["sleep", "600"], NetworkMode = "none",
            Labels = new Dictionary<string, string> { ["com.docker.compose.project"] = "abops-test-other-project" },
        });
        _containers.Add(squatter);
        await Engine.Containers.StartAsync(squatterId);
        var options = Write("version: \"3.7\"\nservices:\n" + Service("server", squatter) + Service("webapp", TestNames.Unique("webapp")));

        var error = await Assert.ThrowsAsync<ComposeException>(() => new ComposeUpOperation(Engine).RunAsync(options, _log.Add));

        output.WriteLine(error.Message);
        OneLine.Assert(error, squatter, "already in use", "remove (or rename)");
        var after = await Engine.Containers.FindAsync(squatter);
        Assert.Equal(squatterId, after!.Id);
        Assert.True(after.IsRunning);
        Assert.Equal("abops-test-other-project", after.Labels["com.docker.compose.project"]);
    }

    [Fact]
    public async Task A_published_port_held_by_another_program_is_named_in_one_line()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var options = Write("version: \"3.7\"\nservices:\n" + Service("webapp", TestNames.Unique("webapp"), $"127.0.0.1:{port}:80"));

        var error = await Assert.ThrowsAsync<ComposeException>(() => new ComposeUpOperation(Engine).RunAsync(options, _log.Add));

        output.WriteLine(error.Message);
        OneLine.Assert(error, $"127.0.0.1:{port}", "address already in use", _containers[^1]);
        // The other program still holds its port.
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        Assert.True(client.Connected);
    }

    [Fact]
    public async Task A_compose_file_that_does_not_parse_is_one_line_naming_the_file_and_nothing_is_created()
    {
        var options = Write("version: \"3.7\"\nservices:\n  server:\n    image: " + TestImages.Busybox + "\n   command: [\"sleep\"\n  webapp: {\n");

        var error = await Assert.ThrowsAsync<ComposeException>(() => new ComposeUpOperation(Engine).RunAsync(options, _log.Add));

        output.WriteLine(error.Message);
        OneLine.Assert(error, options.ComposeFile, "does not parse");
        Assert.Empty(await ProjectContainersAsync());
        Assert.Null(await Engine.Networks.FindAsync($"{_project}_default"));
        Assert.DoesNotContain(_log, l => l.Contains("Bringing up", StringComparison.Ordinal));
    }

    public async Task DisposeAsync()
    {
        foreach (var c in await ProjectContainersAsync()) await Engine.Containers.RemoveAsync(c.Id, force: true);
        foreach (var name in _containers) await Engine.Containers.RemoveAsync(name, force: true);
        await Engine.Networks.RemoveAsync($"{_project}_default");
        Directory.Delete(_dir, recursive: true);
    }
}
