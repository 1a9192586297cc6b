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

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
