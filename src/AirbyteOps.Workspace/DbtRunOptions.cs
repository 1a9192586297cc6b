namespace AirbyteOps.Workspace;

/// <summary>Parameters of the DbtRun target.</summary>
public sealed record DbtRunOptions
{
    public const string DefaultNormalizationImage = "airbyte/normalization";

    /// <summary>--dbt-mode container|local</summary>
    public DbtMode Mode { get; init; } = DbtMode.Container;
    /// <summary>--normalization-image (container mode); never pulled.</summary>
    public string NormalizationImage { get; init; } = DefaultNormalizationImage;
    /// <summary>--workspace-volume (container mode)</summary>
    public string WorkspaceVolume { get; init; } = AirbyteOps.Workspace.WorkspaceVolume.DefaultName;
    /// <summary>--helper-image (container mode: to find the job and read profiles.yml)</summary>
    public string HelperImage { get; init; } = AirbyteOps.Workspace.WorkspaceVolume.DefaultHelperImage;
    /// <summary>--artifacts (local mode: the project is &lt;artifacts&gt;/normalization/normalize)</summary>
    public string ArtifactsDirectory { get; init; } = "artifacts";
    /// <summary>--project-dir (local mode): overrides the extracted copy's place.</summary>
    public string? ProjectDirectory { get; init; }
    /// <summary>--job / --attempt (container mode): default the newest attempt with normalization.</summary>
    public long? Job { get; init; }
    public long? Attempt { get; init; }
    /// <summary>--dbt (local mode): the executable, a name looked up on PATH or a path.</summary>
    public string DbtExecutable { get; init; } = "dbt";
    /// <summary>PATH for finding and running the local dbt; null: this process's PATH.</summary>
    public string? SearchPath { get; init; }
    /// <summary>--dbt-network (container mode): host, as the tutorial, so "localhost" in profiles.yml is the host.</summary>
    public string Network { get; init; } = "host";
    /// <summary>--dbt-timeout: per dbt command.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(30);
    public string? DockerHost { get; init; }

    public string LocalProjectDirectory => ProjectDirectory ?? NormalizationProject.DirectoryUnder(ArtifactsDirectory);
}
