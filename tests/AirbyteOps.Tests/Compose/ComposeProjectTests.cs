using AirbyteOps.Compose;
using AirbyteOps.Docker;
using AirbyteOps.Images;

namespace AirbyteOps.Tests.Compose;

/// <summary>
/// ComposeUp and WipeVolumes against the real engine and the real compose CLI, on a small project of
/// busybox services: an httpd that serves the Airbyte health document from a bind-mounted folder, a
/// one-shot service, and a named volume.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class ComposeProjectTests : IAsyncLifetime
{
    /// <summary>The health endpoint: an httpd serving the folder www beside the compose file (its volumes: www, then the caller's).</summary>
    private static string WebService(string volume = "") => $$"""
          web:
            image: {{ImageCatalog.Busybox}}
            command: ["httpd", "-f", "-p", "8001", "-h", "/www"]
            ports:
              - "127.0.0.1:${PORT}:8001"
            volumes:
              - ./www:/www:ro{{volume}}
        """;

    private static readonly string ComposeYaml = $$"""
        version: "3.7"
        services:
        {{WebService("\n      - data:/data")}}
          oneshot:
            image: {{ImageCatalog.Busybox}}
            command: ["true"]
          extra:
            image: {{ImageCatalog.Busybox}}
            command: ["sh", "-c", "${EXTRA_COMMAND:-exec sleep 600}"]
            # The engine runs this first after 10 minutes: ComposeUp must see it pass (or not) without waiting for that.
            healthcheck:
              test: ["CMD", "sh", "-c", "${EXTRA_HEALTH:-true}"]
              interval: 10m
        volumes:
          data:
        """;

    private readonly EngineFixture _fixture;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), TestNames.Unique("compose-project"));
    private readonly List<(string Project, string EnvFile)> _projects = [];
    private readonly List<string> _log = [];

    public ComposeProjectTests(EngineFixture fixture) => _fixture = fixture;

    private DockerEngine Engine => _fixture.Engine;

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "www", "api", "v1"));
        File.WriteAllText(Path.Combine(_dir, "www", "api", "v1", "health"), "{\"db\": true}");
        File.WriteAllText(Path.Combine(_dir, "www", "kept.txt"), "bind mounts are never removed");
        File.WriteAllText(Path.Combine(_dir, "docker-compose.yaml"), ComposeYaml);
        return Task.CompletedTask;
    }

    private ComposeOptions Project(string? extraCommand = null, string? extraHealth = null, int timeoutSeconds = 60)
    {
        var project = TestNames.Unique("p").Replace("-", "", StringComparison.Ordinal);
        var port = TestNames.FreePort();
        var envFile = Path.Combine(_dir, project + ".env");
        File.WriteAllText(envFile, $"PORT={port}\n" + (extraCommand is null ? "" : $"EXTRA_COMMAND={extraCommand}\n") + (extraHealth is null ? "" : $"EXTRA_HEALTH={extraHealth}\n"));
        _projects.Add((project, envFile));
        return new ComposeOptions(Path.Combine(_dir, "docker-compose.yaml"), project, envFile, new Uri($"http://127.0.0.1:{port}/api/v1"), TimeSpan.FromSeconds(timeoutSeconds));
    }

    private async Task<IReadOnlyList<ContainerInfo>> ContainersOf(string project) =>
        await Engine.Containers.ListAsync([$"com.docker.compose.project={project}"]);

    [Fact]
    public async Task Up_from_nothing_then_again_changes_nothing()
    {
        var options = Project();

        var first = await new ComposeUpOperation(Engine).RunAsync(options, _log.Add);
        var idsAfterFirst = (await ContainersOf(options.Project)).Select(c => c.Id).Order().ToList();
        var second = await new ComposeUpOperation(Engine).RunAsync(options, _log.Add);
        var idsAfterSecond = (await ContainersOf(options.Project)).Select(c => c.Id).Order().ToList();

        Assert.False(first.AlreadyUp);
        Assert.True(second.AlreadyUp);
        Assert.Equal(3, idsAfterFirst.Count);
        Assert.Equal(idsAfterFirst, idsAfterSecond);
        Assert.Contains(_log, l => l.Contains("already up", StringComparison.Ordinal));
        using var api = new AirbyteOps.Api.AirbyteApi(options.ServerUrl);
        Assert.True(await api.IsHealthyAsync());
    }

    [Fact]
    public async Task A_healthcheck_the_engine_has_not_run_yet_is_run_by_ComposeUp_itself()
    {
        var passing = Project();
        var failing = Project(extraHealth: "false", timeoutSeconds: 5);

        await new ComposeUpOperation(Engine).RunAsync(passing, _log.Add);
        var extra = (await ContainersOf(passing.Project)).Single(c => c.Name.Contains("extra", StringComparison.Ordinal));
        var error = await Assert.ThrowsAsync<DockerOpsException>(() => new ComposeUpOperation(Engine).RunAsync(failing, _log.Add));

        // Ready while the engine's own check (every 10 minutes) has not run once: the readiness came from ComposeUp's probe.
        Assert.Equal("starting", extra.Health);
        Assert.Contains("Timed out", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_service_paused_and_unpaused_before_its_next_healthcheck_is_not_unhealthy_and_the_project_is_already_up()
    {
        var options = Project();
        await new ComposeUpOperation(Engine).RunAsync(options, _log.Add);
        var ids = (await ContainersOf(options.Project)).Select(c => c.Id).Order().ToList();
        var extra = (await ContainersOf(options.Project)).Single(c => c.Name.Contains("extra", StringComparison.Ordinal));

        // What ExportSetup does to the writers: docker pause, then unpause. The engine stops the health monitor on pause and
        // says "unhealthy" (with no failed check) until its next check, 10 minutes on here.
        await Engine.Containers.PauseAsync(extra.Name);
        await Engine.Containers.UnpauseAsync(extra.Name);
        var engineSays = await DockerCli.CheckAsync("inspect", "--format", "{{.State.Health.Status}} {{.State.Health.FailingStreak}}", extra.Id);
        var after = await Engine.Containers.FindAsync(extra.Name);
        _log.Clear();
        var again = await new ComposeUpOperation(Engine).RunAsync(options, _log.Add);

        Assert.Equal("unhealthy 0", engineSays.Trim());
        Assert.Equal("starting", after!.Health);
        Assert.True(again.AlreadyUp);
        Assert.Equal(ids, (await ContainersOf(options.Project)).Select(c => c.Id).Order().ToList());
    }

    /// <summary>
    /// Airbyte's database service has no healthcheck in any release file, and 0.7's health does not cover it: ComposeUp waits
    /// until its real server answers, not only the socket-only server the Postgres entrypoint runs its init scripts on.
    /// </summary>
    [Fact]
    public async Task A_database_service_without_a_healthcheck_is_waited_for_until_its_real_server_answers()
    {
        var db = Path.Combine(_dir, "db");
        Directory.CreateDirectory(Path.Combine(db, "www", "api", "v1"));
        Directory.CreateDirectory(Path.Combine(db, "initdb"));
        File.WriteAllText(Path.Combine(db, "www", "api", "v1", "health"), "{\"db\": true}");
        // The init scripts keep the temporary server up well after the health answers, as a long schema script would.
        File.WriteAllText(Path.Combine(db, "initdb", "slow.sh"), "sleep 6\n");
        File.WriteAllText(Path.Combine(db, "docker-compose.yaml"), $$"""
            version: "3.7"
            services:
            {{WebService()}}
              db:
                image: {{ImageCatalog.Postgres}}
                environment:
                  - POSTGRES_USER=docker
                  - POSTGRES_PASSWORD=docker
                  - POSTGRES_DB=airbyte
                volumes:
                  - ./initdb:/docker-entrypoint-initdb.d:ro
              checked:
                image: {{ImageCatalog.Busybox}}
                command: ["sleep", "600"]
                network_mode: none
                # The engine runs this first after 10 minutes: ComposeUp runs it itself.
                healthcheck:
                  test: ["CMD", "true"]
                  interval: 10m
            """);
        var project = Project();
        var options = project with { ComposeFile = Path.Combine(db, "docker-compose.yaml"), DatabaseContainer = $"{project.Project}_db_1" };

        await new ComposeUpOperation(Engine).RunAsync(options, _log.Add);
        // Asked at once, over the socket: the real server (listen_addresses '*'), not the temporary one ('').
        var output = new MemoryStream();
        var answer = await Engine.ExecAsync(options.DatabaseContainer!, ["psql", "-U", "docker", "-d", "airbyte", "-Atc", "SELECT current_setting('listen_addresses')"], stdout: output);

        Assert.True(answer.Succeeded, answer.LastError);
        Assert.Equal("*", System.Text.Encoding.UTF8.GetString(output.ToArray()).Trim());
        Assert.Contains(_log, l => l.Contains($"{options.DatabaseContainer}'s real server answers", StringComparison.Ordinal));
        // The count is of healthchecks: the database's question is not one, and is said apart.
        Assert.Contains(_log, l => l.Contains("every healthcheck passed (1 run here while Docker said starting)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_database_that_never_answers_times_ComposeUp_out_with_its_name_and_why()
    {
        // The web service has no psql: asked as the database, it never answers.
        var project = Project(timeoutSeconds: 5);
        var options = project with { DatabaseContainer = $"{project.Project}_web_1" };

        var error = await Assert.ThrowsAsync<DockerOpsException>(() => new ComposeUpOperation(Engine).RunAsync(options, _log.Add));

        Assert.StartsWith("Timed out after 5 s", error.Message, StringComparison.Ordinal);
        Assert.Contains($"(last error: {options.DatabaseContainer}: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_service_that_crashes_at_start_is_named_with_its_last_log_lines()
    {
        var options = Project("echo boom-marker-42; exit 3");

        var error = await Assert.ThrowsAsync<DockerOpsException>(() => new ComposeUpOperation(Engine).RunAsync(options, _log.Add));

        Assert.Contains("'extra'", error.Message);
        Assert.Contains("exited with code 3", error.Message);
        Assert.Contains("boom-marker-42", error.Message);
    }

    [Fact]
    public async Task Wipe_removes_exactly_this_projects_volumes_and_keeps_others_and_the_bind_mount()
    {
        var mine = Project();
        var other = Project();
        await new ComposeUpOperation(Engine).RunAsync(mine, _log.Add);
        await new ComposeUpOperation(Engine).RunAsync(other, _log.Add);

        var wiped = await new WipeVolumesOperation(Engine).RunAsync(mine, _log.Add);

        Assert.Equal([$"{mine.Project}_data"], wiped.Volumes);
        Assert.Null(await Engine.Volumes.FindAsync($"{mine.Project}_data"));
        Assert.Empty(await ContainersOf(mine.Project));
        Assert.Null(await Engine.Networks.FindAsync($"{mine.Project}_default"));
        Assert.NotNull(await Engine.Volumes.FindAsync($"{other.Project}_data"));
        Assert.Equal(3, (await ContainersOf(other.Project)).Count);
        Assert.True(File.Exists(Path.Combine(_dir, "www", "kept.txt")));
        Assert.Contains(_log, l => l.Contains("keeping bind mount", StringComparison.Ordinal) && l.Contains("www", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Wipe_removes_a_volume_access_container_left_by_an_interrupted_run()
    {
        var options = Project();
        await new ComposeUpOperation(Engine).RunAsync(options, _log.Add);
        // Opened and never disposed: what a killed ExportSetup/RestoreSetup leaves behind.
        var leftover = await Engine.Volumes.OpenAsync($"{options.Project}_data", ImageCatalog.Busybox);

        var wiped = await new WipeVolumesOperation(Engine).RunAsync(options, _log.Add);

        Assert.Equal([$"{options.Project}_data"], wiped.Volumes);
        Assert.Null(await Engine.Containers.FindAsync(leftover.ContainerId));
        Assert.Null(await Engine.Volumes.FindAsync($"{options.Project}_data"));
        Assert.Contains(_log, l => l.Contains("leftover helper container", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Wipe_with_nothing_up_says_so_and_succeeds()
    {
        var options = Project();

        var wiped = await new WipeVolumesOperation(Engine).RunAsync(options, _log.Add);

        Assert.Empty(wiped.Volumes);
        Assert.Contains(_log, l => l.Contains("nothing to remove", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Plain_docker_compose_down_v_removes_everything_our_up_created()
    {
        var options = Project();
        await new ComposeUpOperation(Engine).RunAsync(options, _log.Add);

        var (exit, output) = await DockerCli.ComposeAsync(options, "down", "-v");

        Assert.True(exit == 0, output);
        Assert.Empty(await ContainersOf(options.Project));
        Assert.Null(await Engine.Volumes.FindAsync($"{options.Project}_data"));
        Assert.Null(await Engine.Networks.FindAsync($"{options.Project}_default"));
    }

    [Fact]
    public async Task Our_wipe_removes_everything_a_plain_docker_compose_up_created()
    {
        var options = Project();
        var (exit, output) = await DockerCli.ComposeAsync(options, "up", "-d");
        Assert.True(exit == 0, output);
        Assert.NotNull(await Engine.Volumes.FindAsync($"{options.Project}_data"));

        await new WipeVolumesOperation(Engine).RunAsync(options, _log.Add);

        Assert.Empty(await ContainersOf(options.Project));
        Assert.Null(await Engine.Volumes.FindAsync($"{options.Project}_data"));
        Assert.Null(await Engine.Networks.FindAsync($"{options.Project}_default"));
    }

    public async Task DisposeAsync()
    {
        foreach (var (project, envFile) in _projects)
        {
            var file = ComposeFile.Load(Path.Combine(_dir, "docker-compose.yaml"), project, envFile);
            foreach (var c in await ContainersOf(project)) await Engine.Containers.RemoveAsync(c.Id, force: true, removeAnonymousVolumes: true);
            await Engine.Networks.RemoveAsync($"{project}_default");
            foreach (var v in file.Volumes.Values) await Engine.Volumes.RemoveAsync(v);
        }
        Directory.Delete(_dir, recursive: true);
    }
}
