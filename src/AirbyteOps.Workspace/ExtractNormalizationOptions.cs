namespace AirbyteOps.Workspace;

/// <summary>Parameters of the ExtractNormalization target.</summary>
public sealed record ExtractNormalizationOptions
{
    /// <summary>--workspace-volume</summary>
    public string WorkspaceVolume { get; init; } = AirbyteOps.Workspace.WorkspaceVolume.DefaultName;
    /// <summary>--helper-image</summary>
    public string HelperImage { get; init; } = AirbyteOps.Workspace.WorkspaceVolume.DefaultHelperImage;
    /// <summary>--artifacts: the project lands in &lt;artifacts&gt;/normalization/normalize.</summary>
    public string ArtifactsDirectory { get; init; } = "artifacts";
    /// <summary>--job: take this job instead of the newest one with normalization.</summary>
    public long? Job { get; init; }
    /// <summary>--attempt: with --job; default the job's newest attempt with normalization.</summary>
    public long? Attempt { get; init; }
    public string? DockerHost { get; init; }

    public string ProjectDirectory => NormalizationProject.DirectoryUnder(ArtifactsDirectory);
}
