using AirbyteOps.Compose;

namespace AirbyteOps.Tests.Compose;

public sealed class ComposeFileTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), TestNames.Unique("compose"));

    public ComposeFileTests() => Directory.CreateDirectory(_dir);

    private string Write(string yaml, string? env = null)
    {
        var path = Path.Combine(_dir, "docker-compose.yaml");
        File.WriteAllText(path, yaml);
        if (env is not null) File.WriteAllText(Path.Combine(_dir, ".env"), env);
        return path;
    }

    [Fact]
    public void Reads_each_services_stop_grace_period_as_WipeVolumes_stops_it_and_refuses_one_that_is_not_a_duration()
    {
        var path = Write("""
            services:
              quick:
                image: busybox
                stop_grace_period: 1m30s
              half:
                image: busybox
                stop_grace_period: ${GRACE:-500ms}
              plain:
                image: busybox
            """);

        var file = ComposeFile.Load(path, "p", environment: _ => null);

        Assert.Equal([TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(10)], file.Services.Select(s => s.StopGracePeriod));
        var error = Assert.Throws<ComposeException>(() => ComposeFile.Load(path, "p", environment: n => n == "GRACE" ? "soon" : null));
        Assert.Equal($"Compose file '{path}': service 'half' has stop_grace_period 'soon', which is not a duration (write it like 10s, 1m30s or 500ms).", error.Message);
    }

    [Fact]
    public void Reads_named_volumes_with_their_engine_names_bind_mounts_and_the_default_network()
    {
        var path = Write("""
            version: "3.7"
            services:
              server:
                image: airbyte/server:${VERSION}
                container_name: airbyte-server
                volumes:
                  - workspace:${WORKSPACE_ROOT}
                  - data:/data
                  - ${LOCAL_ROOT:-/tmp/fallback}:${LOCAL_ROOT:-/tmp/fallback}
                healthcheck:
                  test: ["CMD", "true"]
              db:
                image: airbyte/db
                volumes:
                  - db:/var/lib/postgresql/data
            volumes:
              workspace:
                name: ${WORKSPACE_DOCKER_MOUNT}
              data:
              db:
                external: true
            """, "VERSION=0.7.1-alpha\nWORKSPACE_ROOT=/tmp/workspace\nWORKSPACE_DOCKER_MOUNT=airbyte_workspace\nLOCAL_ROOT=/tmp/airbyte_local\n");

        var file = ComposeFile.Load(path, "airbyte", environment: _ => null);

        Assert.Equal(new Dictionary<string, string> { ["workspace"] = "airbyte_workspace", ["data"] = "airbyte_data" }, file.Volumes);
        Assert.Equal(["/tmp/airbyte_local"], file.BindMounts);
        Assert.Equal(["airbyte_default"], file.Networks);
        var server = file.Services.Single(s => s.Name == "server");
        Assert.Equal("airbyte/server:0.7.1-alpha", server.Image);
        Assert.Equal("airbyte-server", file.ContainerNameOf(server));
        Assert.True(server.HasHealthcheck);
        Assert.Equal("airbyte_db_1", file.ContainerNameOf(file.Services.Single(s => s.Name == "db")));
    }

    [Fact]
    public void The_environment_wins_over_the_env_file_and_defaults_apply_when_both_are_empty()
    {
        var path = Write("""
            services:
              a:
                image: x:${TAG}
                volumes: ["${HOSTDIR:-/srv/default}:/in"]
            """, "TAG=from-file\n");

        var file = ComposeFile.Load(path, "p", environment: name => name == "TAG" ? "from-env" : null);

        Assert.Equal("x:from-env", file.Services[0].Image);
        Assert.Equal(["/srv/default"], file.BindMounts);
    }

    [Fact]
    public void A_file_that_does_not_parse_is_one_line_naming_the_file_and_the_line()
    {
        var path = Write("services:\n  a:\n    image: x\n   bad: indentation\n  b: c\n");

        var error = Assert.Throws<ComposeException>(() => ComposeFile.Load(path, "p"));

        Assert.Contains(path, error.Message);
        Assert.Contains("does not parse", error.Message);
        Assert.Contains("line", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void An_unclosed_bracket_at_the_end_is_a_compose_error_not_a_crash()
    {
        var path = Write("services:\n  a:\n    image: [unclosed\n  b: {\n");

        var error = Assert.Throws<ComposeException>(() => ComposeFile.Load(path, "p"));

        Assert.Contains(path, error.Message);
        Assert.Contains("does not parse", error.Message);
    }

    [Fact]
    public void A_missing_file_says_which_parameter_to_pass()
    {
        var error = Assert.Throws<ComposeException>(() => ComposeFile.Load(Path.Combine(_dir, "nope.yaml"), "p"));

        Assert.Contains("--compose-file", error.Message);
    }

    /// <summary>The real release files: 0.7.1 names the workspace volume WORKSPACE_DOCKER_MOUNT=workspace and leaves data and db to the project prefix; the tutorial's commit names all three airbyte_*.</summary>
    [Theory]
    [InlineData("v0.7.1-alpha", "airbyte", "workspace", "airbyte_data")]
    [InlineData("tutorial-b9bc9c8", "airbyte", "airbyte_workspace", "airbyte_data")]
    [InlineData("v0.12.0-alpha", "airbyte", "airbyte_workspace", "airbyte_data")]
    [InlineData("v0.27.3-alpha", "airbyte", "airbyte_workspace", "airbyte_data")]
    // docker-compose 1.29 lower-cases the project name and drops what is not [-_a-z0-9] before it prefixes a volume.
    [InlineData("v0.7.1-alpha", "My.Airbyte", "workspace", "myairbyte_data")]
    public void The_data_and_workspace_volumes_are_the_ones_the_real_compose_file_mounts(string release, string project, string workspace, string data)
    {
        var file = ComposeFile.Load(Path.Combine(AirbyteReference.Root, "compose", release, "docker-compose.yaml"), project, environment: _ => null);

        Assert.Equal(data, file.DataVolume("airbyte-server", "/data"));
        Assert.Equal(workspace, file.WorkspaceVolume(["airbyte-server", "airbyte-scheduler"]));
    }

    /// <summary>
    /// LocalData skips its helper container where a running container of a local engine bind-mounts the folder it lists
    /// (LocalDataOperation). On the real 0.7.1 the scheduler mounts ${LOCAL_ROOT}:${LOCAL_ROOT}; with the release's .env
    /// that source is the folder --local-root names by default, so the skip applies to the real deployment too.
    /// </summary>
    [Fact]
    public void The_real_0_7_1_scheduler_bind_mounts_the_folder_LocalData_lists_by_default()
    {
        var release = Path.Combine(AirbyteReference.Root, "compose", "v0.7.1-alpha");
        var file = ComposeFile.Load(Path.Combine(release, "docker-compose.yaml"), "airbyte", Path.Combine(release, ".env"), _ => null);

        var scheduler = Assert.Single(file.Services, s => s.Name == "scheduler");
        Assert.Contains(new AirbyteOps.Build.Parameters.BuildParameters().LocalRoot, scheduler.BindMounts);
    }

    /// <summary>
    /// The demo stand-in has the real 0.7.1 file's services and, like it, no healthcheck at all: ComposeUp waits for the
    /// server's health endpoint and the database's real server as it does against a real deployment.
    /// </summary>
    [Fact]
    public void The_demo_stand_in_has_the_real_0_7_1_services_and_like_it_no_healthcheck()
    {
        var release = Path.Combine(AirbyteReference.Root, "compose", "v0.7.1-alpha");
        var real = ComposeFile.Load(Path.Combine(release, "docker-compose.yaml"), "airbyte", Path.Combine(release, ".env"), _ => null);
        var demo = Path.Combine(RepositoryPaths.Root, "src", "StandIns", "DemoStack");
        var standIn = ComposeFile.Load(Path.Combine(demo, "docker-compose.yaml"), "airbyte", Path.Combine(demo, ".env"), _ => null);

        Assert.Equal(real.Services.Select(s => s.Name).Order(StringComparer.Ordinal), standIn.Services.Select(s => s.Name).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(real.Services, s => s.HasHealthcheck);
        Assert.DoesNotContain(standIn.Services, s => s.HasHealthcheck);
    }

    /// <summary>
    /// ComposeUp waits for the database container --db-container names (and ExportSetup/RestoreSetup carry its database):
    /// its default is the container the real release files give their database service.
    /// </summary>
    [Theory]
    [InlineData("v0.7.1-alpha")]
    [InlineData("v0.27.3-alpha")]
    public void The_default_database_container_is_the_real_files_database_container(string release)
    {
        var folder = Path.Combine(AirbyteReference.Root, "compose", release);
        var real = ComposeFile.Load(Path.Combine(folder, "docker-compose.yaml"), "airbyte", Path.Combine(folder, ".env"), _ => null);

        var db = Assert.Single(real.Services, s => s.Name == "db");
        Assert.Equal(new AirbyteOps.Build.Parameters.BuildParameters().DbContainer, real.ContainerNameOf(db));
    }

    [Fact]
    public void The_environment_names_the_workspace_volume_as_compose_reads_it()
    {
        var file = ComposeFile.Load(Path.Combine(AirbyteReference.Root, "compose", "v0.7.1-alpha", "docker-compose.yaml"), "airbyte",
            environment: name => name == "WORKSPACE_DOCKER_MOUNT" ? "ops_workspace" : null);

        Assert.Equal("ops_workspace", file.WorkspaceVolume(["airbyte-server"]));
    }

    [Fact]
    public void A_server_that_mounts_no_volume_at_CONFIG_ROOT_is_one_line_naming_the_parameter()
    {
        var path = Write("""
            services:
              server:
                container_name: airbyte-server
                volumes: ["/srv/config:/data"]
            """);

        var error = Assert.Throws<ComposeException>(() => ComposeFile.Load(path, "p", environment: _ => null).DataVolume("airbyte-server", "/data"));

        Assert.Contains("--data-volume", error.Message);
        Assert.Contains(path, error.Message);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
