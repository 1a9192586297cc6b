namespace AirbyteOps.Workspace.Normalization;

/// <summary>What the ExtractNormalization target was given; the build's parameters hold the defaults.</summary>
public sealed record ExtractNormalizationOptions
{
    /// <summary>--workspace-volume</summary>
    public required string WorkspaceVolume { get; init; }
    /// <summary>The busybox image (by --images) of the never-started container that mounts the volume.</summary>
    public required string HelperImage { get; init; }
    /// <summary>The deployment's containers (the server, the scheduler) the listing runs in by docker exec when one is up and mounts the volume; empty: always the helper container.</summary>
    public IReadOnlyList<string> ListingContainers { get; init; } = [];
    /// <summary>--artifacts: the project lands in &lt;artifacts&gt;/normalization/normalize.</summary>
    public required string ArtifactsDirectory { get; init; }
    /// <summary>--job: take this job instead of the newest one with normalization; null: not given.</summary>
    public long? Job { get; init; }
    /// <summary>--attempt: with --job; null: the job's newest attempt with normalization.</summary>
    public long? Attempt { get; init; }

    /// <summary>Where the project lands: &lt;artifacts&gt;/normalization/normalize, full path.</summary>
    public string ProjectDirectory => NormalizationProject.DirectoryUnder(ArtifactsDirectory);
}
