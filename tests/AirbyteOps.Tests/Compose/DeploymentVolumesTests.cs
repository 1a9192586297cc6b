using AirbyteOps.Build;
using AirbyteOps.Build.Parameters;
using AirbyteOps.Compose;

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

    /// <summary>
    /// A database-era compose file that mounts neither a data nor a workspace volume (0.50.33 keeps its configuration in
    /// the database): ExportSetup's and RestoreSetup's options are built without asking for either (the database-era path
    /// needs neither; the files path says to pass --data-volume if it finds no volume), while the targets that need a
    /// volume still say which parameter to pass.
    /// </summary>
    [Fact]
    public void A_database_era_compose_file_without_data_or_workspace_volumes_still_gives_ExportSetup_and_RestoreSetup_their_options()
    {
        using var dir = new TempDirectory();
        var source = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "src", "StandIns", "DbEraStack", "docker-compose.yaml"));
        var reduced = source;
        foreach (var line in new[] { "      - workspace:${WORKSPACE_ROOT}\n", "      - data:${CONFIG_ROOT}\n", "  workspace:\n    name: ${WORKSPACE_DOCKER_MOUNT}\n", "  data:\n    name: ${DATA_DOCKER_MOUNT}\n" })
        {
            Assert.Contains(line, reduced, StringComparison.Ordinal);
            reduced = reduced.Replace(line, "", StringComparison.Ordinal);
        }
        var compose = Path.Combine(dir.Path, "docker-compose.yaml");
        File.WriteAllText(compose, reduced);
        File.Copy(Path.Combine(RepositoryPaths.Root, "src", "StandIns", "DbEraStack", ".env"), Path.Combine(dir.Path, ".env"));
        using var context = Context("--compose-file", compose);
        Assert.Throws<ComposeException>(() => context.DataVolume); // the file really names neither
        Assert.Throws<ComposeException>(() => context.WorkspaceVolume);

        var export = context.ExportSetupOptions("s", overwrite: false, "0.50.33");
        var restore = context.RestoreSetupOptions("s", "0.50.33");

        Assert.Null(export.DataVolume);
        Assert.Null(restore.DataVolume);
        Assert.Equal("airbyte_workspace", restore.WorkspaceVolume); // the default: only a setup holding logs needs it, and says so
        using var given = Context("--compose-file", compose, "--data-volume", "d");
        Assert.Equal("d", given.ExportSetupOptions("s", overwrite: false, "0.50.33").DataVolume);
    }

    [Fact]
    public void A_volume_parameter_wins_over_the_compose_file()
    {
        using var context = Context("--compose-file", Path.Combine(AirbyteReference.Root, "compose", "v0.7.1-alpha", "docker-compose.yaml"),
            "--workspace-volume", "my_workspace", "--data-volume", "my_data");

        Assert.Equal(("my_workspace", "my_data"), (context.WorkspaceVolume, context.DataVolume));
    }
}
