namespace AirbyteOps.Workspace;

/// <summary>Parameters of the Logs target.</summary>
public sealed record LogsOptions
{
    /// <summary>--workspace-volume</summary>
    public string WorkspaceVolume { get; init; } = AirbyteOps.Workspace.WorkspaceVolume.DefaultName;
    /// <summary>--helper-image: the image of the never-started container that mounts the volume.</summary>
    public string HelperImage { get; init; } = AirbyteOps.Workspace.WorkspaceVolume.DefaultHelperImage;
    /// <summary>--artifacts: where --copy puts logs/&lt;job&gt;/&lt;attempt&gt;/.</summary>
    public string ArtifactsDirectory { get; init; } = "artifacts";
    /// <summary>--job: print (or copy) this job's log instead of listing.</summary>
    public long? Job { get; init; }
    /// <summary>--attempt: with --job; default the job's newest attempt.</summary>
    public long? Attempt { get; init; }
    /// <summary>--copy: copy logs.log and catalog.json to the artifacts folder instead of printing.</summary>
    public bool Copy { get; init; }
    /// <summary>--follow: after printing, keep printing what is appended until cancelled.</summary>
    public bool Follow { get; init; }
    /// <summary>How often --follow looks for new lines.</summary>
    public TimeSpan FollowInterval { get; init; } = TimeSpan.FromSeconds(1);
    public string? DockerHost { get; init; }
}
