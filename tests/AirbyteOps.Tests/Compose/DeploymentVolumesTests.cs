using AirbyteOps.Build;
using AirbyteOps.Build.Parameters;

namespace AirbyteOps.Tests.Compose;

/// <summary>
/// Which volumes the targets read and write (ExportSetup/RestoreSetup the data volume; Logs, ExtractNormalization and
/// DbtRun the workspace volume): the ones the deployment's compose file names, unless a parameter says otherwise.
/// </summary>
public sealed class DeploymentVolumesTests
{
    private static BuildContext Context(params string[] arguments) =>
        BuildContext.Create(RepositoryPaths.Root, ParameterReader.ParseArguments(arguments), _ => { });

    [Fact]
    public void Pointed_at_the_real_0_7_1_release_the_targets_use_its_workspace_volume_workspace()
    {
        using var context = Context("--compose-file", Path.Combine(AirbyteReference.Root, "compose", "v0.7.1-alpha", "docker-compose.yaml"));

        Assert.Equal("workspace", context.WorkspaceVolume);
        Assert.Equal("airbyte_data", context.DataVolume);
    }

    [Fact]
    public void The_default_demo_stack_gives_the_tutorials_names()
    {
        using var context = Context();

        Assert.Equal(("airbyte_workspace", "airbyte_data"), (context.WorkspaceVolume, context.DataVolume));
    }

    [Fact]
    public void Without_the_compose_file_the_error_names_both_ways_out()
    {
        using var context = Context("--compose-file", "/nonexistent/docker-compose.yaml");

        var error = Assert.Throws<ParameterException>(() => context.WorkspaceVolume);
        Assert.Contains("--compose-file", error.Message, StringComparison.Ordinal);
        Assert.Contains("--workspace-volume", error.Message, StringComparison.Ordinal);
        using var given = Context("--compose-file", "/nonexistent/docker-compose.yaml", "--data-volume", "d");
        Assert.Equal("d", given.DataVolume);
    }

    [Fact]
    public void A_volume_parameter_wins_over_the_compose_file()
    {
        using var context = Context("--compose-file", Path.Combine(AirbyteReference.Root, "compose", "v0.7.1-alpha", "docker-compose.yaml"),
            "--workspace-volume", "my_workspace", "--data-volume", "my_data");

        Assert.Equal(("my_workspace", "my_data"), (context.WorkspaceVolume, context.DataVolume));
    }
}
