namespace AirbyteOps.Workspace.Logs;

/// <summary>What the Logs target was given; the build's parameters hold the defaults.</summary>
public sealed record LogsOptions
{
    /// <summary>--workspace-volume</summary>
    public required string WorkspaceVolume { get; init; }
    /// <summary>The busybox image (by --images) of the never-started container that mounts the volume.</summary>
    public required string HelperImage { get; init; }
    /// <summary>The deployment's containers (the server, the scheduler) the listing runs in by docker exec when one is up and mounts the volume; empty: always the helper container.</summary>
    public IReadOnlyList<string> ListingContainers { get; init; } = [];
    /// <summary>--artifacts: where --copy puts logs/&lt;job&gt;/&lt;attempt&gt;/.</summary>
    public required string ArtifactsDirectory { get; init; }
    /// <summary>--job: print (or copy) this job's log instead of listing; null: not given.</summary>
    public long? Job { get; init; }
    /// <summary>--attempt: with --job; null: the job's newest attempt.</summary>
    public long? Attempt { get; init; }
    /// <summary>--copy: copy logs.log and catalog.json to the artifacts folder instead of printing.</summary>
    public required bool Copy { get; init; }
    /// <summary>--follow: after printing, keep printing what is appended until cancelled.</summary>
    public required bool Follow { get; init; }
    /// <summary>How often --follow looks for new lines (not a parameter).</summary>
    public TimeSpan FollowInterval { get; init; } = TimeSpan.FromSeconds(1);
}
