using AirbyteOps.StandIns.DemoStack.Hosting;
using Npgsql;

namespace AirbyteOps.DemoStack.Tests.Unit;

public sealed class StandInSettingsTests
{
    [Fact]
    public void The_jdbc_database_url_of_the_compose_file_becomes_an_npgsql_connection()
    {
        var text = StandInSettings.BuildConnectionString("jdbc:postgresql://db:5432/airbyte", "docker", "docker");

        var builder = new NpgsqlConnectionStringBuilder(text);
        Assert.Equal("db", builder.Host);
        Assert.Equal(5432, builder.Port);
        Assert.Equal("airbyte", builder.Database);
        Assert.Equal("docker", builder.Username);
    }

    [Fact]
    public void Environment_names_of_airbyte_0_7_are_read_and_the_worker_image_follows_the_version()
    {
        var env = new Dictionary<string, string>
        {
            ["CONFIG_ROOT"] = "/cfg",
            ["WORKSPACE_ROOT"] = "/ws",
            ["LOCAL_DOCKER_MOUNT"] = "/srv/local",
            ["WORKSPACE_DOCKER_MOUNT"] = "my_workspace",
            ["AIRBYTE_VERSION"] = "9.9.9",
        };

        var settings = StandInSettings.FromEnvironment(name => env.GetValueOrDefault(name));

        Assert.Equal("/cfg", settings.ConfigRoot);
        Assert.Equal("/ws", settings.WorkspaceRoot);
        Assert.Equal("/srv/local", settings.LocalDockerMount);
        Assert.Equal("my_workspace", settings.WorkspaceDockerMount);
        Assert.Equal("airbyteops/airbyte-scheduler:9.9.9", settings.WorkerImage);
        Assert.Null(settings.DatabaseConnectionString);
    }
}
