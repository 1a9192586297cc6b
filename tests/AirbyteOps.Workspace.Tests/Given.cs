namespace AirbyteOps.Workspace.Tests;

/// <summary>Options as the build would give them with its parameters' defaults; tests override what they are about with <c>with</c>.</summary>
internal static class Given
{
    public static ExtractNormalizationOptions Extract { get; } = new()
    {
        WorkspaceVolume = "airbyte_workspace", HelperImage = TestImages.Busybox, ArtifactsDirectory = "artifacts",
    };

    public static LogsOptions Logs { get; } = new()
    {
        WorkspaceVolume = "airbyte_workspace", HelperImage = TestImages.Busybox, ArtifactsDirectory = "artifacts", Copy = false, Follow = false,
    };

    public static DbtRunOptions Dbt { get; } = new()
    {
        Mode = DbtMode.Container, NormalizationImage = "airbyte/normalization", WorkspaceVolume = "airbyte_workspace",
        HelperImage = TestImages.Busybox, ArtifactsDirectory = "artifacts", DbtExecutable = "dbt", Timeout = TimeSpan.FromMinutes(5),
    };
}
