using System.Net;
using System.Net.Sockets;
using AirbyteOps.Docker;
using AirbyteOps.Images;
using AirbyteOps.Postgres;

namespace AirbyteOps.Tests.Postgres;

[Collection(EngineCollection.Name)]
public sealed class StartPostgresTests : IAsyncLifetime
{
    private readonly EngineFixture _fixture;
    private readonly List<string> _containers = [];
    private readonly List<string> _output = [];

    public StartPostgresTests(EngineFixture fixture) => _fixture = fixture;

    private DockerEngine Engine => _fixture.Engine;

    private PostgresOptions Options(string? password = null)
    {
        var name = TestNames.Unique("pg");
        _containers.Add(name);
        return new PostgresOptions(name, ImageCatalog.Postgres, TestNames.FreePort(), "postgres",
            password ?? "pw-" + Guid.NewGuid().ToString("N"), "postgres", TimeSpan.FromSeconds(60));
    }

    private void Log(string line) => _output.Add(line);

    [Fact]
    public async Task Second_run_changes_nothing_and_keeps_the_same_container()
    {
        var options = Options();

        var first = await new StartPostgresOperation(Engine).RunAsync(options, Log);
        var second = await new StartPostgresOperation(Engine).RunAsync(options, Log);

        Assert.Equal(StartPostgresOutcome.Created, first.Outcome);
        Assert.Equal(StartPostgresOutcome.AlreadyRunning, second.Outcome);
        Assert.Equal(first.ContainerId, second.ContainerId);
        Assert.Contains(_output, l => l.Contains("already up and answering; nothing changed", StringComparison.Ordinal));
        Assert.True(await PostgresProbe.QueryAsync(options.ConnectionString));
    }

    [Fact]
    public async Task The_image_check_runs_beside_the_query_of_a_running_container_and_its_failure_stops_the_target()
    {
        var options = Options();
        await new StartPostgresOperation(Engine).RunAsync(options, Log);
        var checkedImage = 0;

        var noop = await new StartPostgresOperation(Engine).RunAsync(options with { EnsureImage = async _ => { await Task.Yield(); Interlocked.Increment(ref checkedImage); } }, Log);
        var error = await Assert.ThrowsAsync<DockerOpsException>(() => new StartPostgresOperation(Engine).RunAsync(
            options with { EnsureImage = _ => throw new DockerOpsException("image recipe check failed (test)") }, Log));

        Assert.Equal((StartPostgresOutcome.AlreadyRunning, 1), (noop.Outcome, checkedImage));
        Assert.Equal("image recipe check failed (test)", error.Message);
        Assert.Single(_output, l => l.Contains("already up and answering", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Publishes_on_loopback_only_and_answers_a_real_query_when_it_returns()
    {
        var options = Options();

        await new StartPostgresOperation(Engine).RunAsync(options, Log);

        var info = await Engine.Containers.FindAsync(options.ContainerName);
        var port = Assert.Single(info!.Ports);
        Assert.Equal("127.0.0.1", port.HostIp);
        Assert.Equal(options.HostPort, port.HostPort);
        // Readiness means a query works right away, not "the container started".
        Assert.True(await PostgresProbe.QueryAsync(options.ConnectionString));
    }

    [Fact]
    public async Task A_stopped_container_is_started_again()
    {
        var options = Options();
        var created = await new StartPostgresOperation(Engine).RunAsync(options, Log);
        await Engine.Containers.StopAsync(options.ContainerName);
        Assert.False((await Engine.Containers.FindAsync(options.ContainerName))!.IsRunning);

        var again = await new StartPostgresOperation(Engine).RunAsync(options, Log);

        Assert.Equal(StartPostgresOutcome.Started, again.Outcome);
        Assert.Equal(created.ContainerId, again.ContainerId);
        Assert.True(await PostgresProbe.QueryAsync(options.ConnectionString));
    }

    [Fact]
    public async Task A_name_held_by_another_image_fails_and_leaves_that_container_alone()
    {
        var options = Options();
        var squatter = await Engine.Containers.CreateAsync(new ContainerSpec(options.ContainerName, ImageCatalog.Busybox) { Command = ["sleep", "300"] });
        await Engine.Containers.StartAsync(squatter);

        var error = await Assert.ThrowsAsync<DockerOpsException>(() => new StartPostgresOperation(Engine).RunAsync(options, Log));

        Assert.Contains(options.ContainerName, error.Message);
        Assert.Contains(ImageCatalog.Busybox, error.Message);
        Assert.Contains("left alone", error.Message);
        var after = await Engine.Containers.FindAsync(options.ContainerName);
        Assert.Equal(squatter, after!.Id);
        Assert.True(after.IsRunning);
    }

    [Fact]
    public async Task A_look_at_a_running_container_publishing_our_port_sends_its_query_and_lists_the_running_containers()
    {
        var options = Options();
        await new StartPostgresOperation(Engine).RunAsync(options, Log);

        var look = await new StartPostgresOperation(Engine).LookAsync(options);
        var elsewhere = await new StartPostgresOperation(Engine).LookAsync(options with { HostPort = TestNames.FreePort() });

        Assert.Equal(options.ContainerName, look.Existing?.Name);
        Assert.True(await look.Answers!);
        Assert.Contains(await look.Running!, c => c.Name == options.ContainerName);
        // Not publishing the port asked for: the container is found, and no query goes to whatever holds that port.
        Assert.Equal((options.ContainerName, (Task<bool>?)null, (Task<IReadOnlyList<ContainerInfo>>?)null), (elsewhere.Existing?.Name, elsewhere.Answers, elsewhere.Running));
    }

    [Fact]
    public async Task An_earlier_look_is_taken_as_it_answered_and_one_that_failed_is_made_again()
    {
        var options = Options();
        await new StartPostgresOperation(Engine).RunAsync(options, Log);
        var look = await new StartPostgresOperation(Engine).LookAsync(options);
        _output.Clear();

        // An earlier look whose query had not answered: taken as it is, so the target waits for a query (which answers).
        var taken = await new StartPostgresOperation(Engine).RunAsync(options with { Lookup = Task.FromResult<DestinationLookup?>(look with { Answers = Task.FromResult(false) }) }, Log);
        var takenOutput = _output.ToList();
        _output.Clear();
        var again = await new StartPostgresOperation(Engine).RunAsync(options with { Lookup = Task.FromException<DestinationLookup?>(new DockerOpsException("the engine did not answer yet (test)")) }, Log);

        Assert.Equal(StartPostgresOutcome.AlreadyRunning, taken.Outcome);
        Assert.Contains(takenOutput, l => l.Contains("is running but not answering yet; waiting", StringComparison.Ordinal));
        Assert.Contains(takenOutput, l => l.StartsWith("Postgres answered a query after", StringComparison.Ordinal));
        Assert.Equal(StartPostgresOutcome.AlreadyRunning, again.Outcome);
        Assert.Contains(_output, l => l.Contains("already up and answering; nothing changed", StringComparison.Ordinal));
        Assert.Contains(_output, l => l.Contains(options.ContainerName, StringComparison.Ordinal) && l.Contains(ImageCatalog.Postgres, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_port_held_by_another_listener_fails_with_the_port_named()
    {
        var options = Options();
        using var listener = new TcpListener(IPAddress.Loopback, options.HostPort);
        listener.Start();

        var error = await Assert.ThrowsAsync<DestinationException>(() => new StartPostgresOperation(Engine).RunAsync(options, Log));

        Assert.Contains($"127.0.0.1:{options.HostPort}", error.Message);
        Assert.Contains("--postgres-port", error.Message);
        Assert.Null(await Engine.Containers.FindAsync(options.ContainerName));
    }

    [Fact]
    public async Task A_port_published_by_another_container_names_that_container()
    {
        var first = Options();
        await new StartPostgresOperation(Engine).RunAsync(first, Log);
        var second = Options() with { HostPort = first.HostPort };

        var error = await Assert.ThrowsAsync<DockerOpsException>(() => new StartPostgresOperation(Engine).RunAsync(second, Log));

        Assert.Contains(first.ContainerName, error.Message);
        Assert.Contains(first.HostPort.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message);
        Assert.Null(await Engine.Containers.FindAsync(second.ContainerName));
    }

    [Fact]
    public async Task The_password_never_appears_in_the_output_or_the_options_text()
    {
        var password = "Sekr3t-" + Guid.NewGuid().ToString("N");
        var options = Options(password);

        await new StartPostgresOperation(Engine).RunAsync(options, Log);
        await new StartPostgresOperation(Engine).RunAsync(options, Log);

        Assert.NotEmpty(_output);
        Assert.DoesNotContain(_output, l => l.Contains(password, StringComparison.Ordinal));
        Assert.DoesNotContain(password, options.ToString(), StringComparison.Ordinal);
        Assert.Contains(_output, l => l.Contains("[REDACTED]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_wrong_password_for_an_existing_container_fails_without_showing_either_password()
    {
        var options = Options();
        await new StartPostgresOperation(Engine).RunAsync(options, Log);
        var wrong = options with { Password = "wrong-" + Guid.NewGuid().ToString("N") };

        var error = await Assert.ThrowsAsync<DestinationException>(() => new StartPostgresOperation(Engine).RunAsync(wrong, Log));

        Assert.Contains("rejected the password", error.Message);
        Assert.DoesNotContain(wrong.Password, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(options.Password, error.Message, StringComparison.Ordinal);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var name in _containers) await Engine.Containers.RemoveAsync(name, force: true, removeAnonymousVolumes: true);
    }
}
