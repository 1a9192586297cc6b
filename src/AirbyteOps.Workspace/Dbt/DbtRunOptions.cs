namespace AirbyteOps.Workspace.Dbt;

/// <summary>What the DbtRun target was given; the build's parameters hold the defaults.</summary>
public sealed record DbtRunOptions
{
    /// <summary>
    /// True when no --normalization-image was given and the official images are used: the image is then the one the
    /// chosen attempt's log names ("Preparing command: docker run ... airbyte/normalization:&lt;tag&gt;"), else
    /// <see cref="NormalizationImage"/> (the version's known tag).
    /// </summary>
    public bool NormalizationImageFromJobLog { get; init; }
    /// <summary>The deployment's Airbyte version (detected or --airbyte-version): names the normalization tag when the log does not.</summary>
    public string? AirbyteVersion { get; init; }
    /// <summary>Makes sure an image is on this machine before it runs (the build's Images step); null: only checked.</summary>
    public Func<string, CancellationToken, Task>? EnsureImage { get; init; }
    /// <summary>--dbt-mode container|local</summary>
    public required DbtMode Mode { get; init; }
    /// <summary>--normalization-image (container mode); never pulled.</summary>
    public required string NormalizationImage { get; init; }
    /// <summary>--workspace-volume (container mode)</summary>
    public required string WorkspaceVolume { get; init; }
    /// <summary>The busybox image (by --images), container mode: to find the job and read profiles.yml.</summary>
    public required string HelperImage { get; init; }
    /// <summary>The deployment's containers (the server, the scheduler) the listing runs in by docker exec when one is up and mounts the volume; empty: always the helper container.</summary>
    public IReadOnlyList<string> ListingContainers { get; init; } = [];
    /// <summary>--artifacts (local mode: the project is &lt;artifacts&gt;/normalization/normalize)</summary>
    public required string ArtifactsDirectory { get; init; }
    /// <summary>--project-dir (local mode): another project folder; null: not given.</summary>
    public string? ProjectDirectory { get; init; }
    /// <summary>--job / --attempt (container mode); null: the newest attempt with normalization.</summary>
    public long? Job { get; init; }
    public long? Attempt { get; init; }
    /// <summary>--dbt (local mode): the executable, a name looked up on PATH or a path.</summary>
    public required string DbtExecutable { get; init; }
    /// <summary>PATH for finding and running the local dbt (not a parameter); null: this process's PATH.</summary>
    public string? SearchPath { get; init; }
    /// <summary>Container mode's network (not a parameter): host, as the tutorial, so "localhost" in profiles.yml is the host.</summary>
    public string Network { get; init; } = "host";
    /// <summary>--dbt-timeout: the longest run of one dbt command.</summary>
    public required TimeSpan Timeout { get; init; }
}
