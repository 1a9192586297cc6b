namespace AirbyteOps.Setups;

/// <summary>What a user sets for RestoreSetup. Defaults match Airbyte 0.7's docker-compose deployment.</summary>
public sealed record RestoreOptions
{
    /// <summary>A setup name (under &lt;artifacts&gt;/setups/), or a path to a setup folder, a setup archive, or a plain archive of a /data tree.</summary>
    public required string Setup { get; init; }
    public string ArtifactsDirectory { get; init; } = "artifacts";
    public string ServerContainer { get; init; } = "airbyte-server";
    public string DataVolume { get; init; } = "airbyte_data";
    public string ConfigRoot { get; init; } = "/data";
    public string HelperImage { get; init; } = "airbyteops/busybox:latest";
    /// <summary>The secrets file; null means &lt;setup&gt;.secrets.json next to the setup.</summary>
    public string? SecretsFile { get; init; }
    /// <summary>Restore even when the setup's Airbyte major.minor differs from the server's.</summary>
    public bool ForceVersion { get; init; }
    /// <summary>Restore even when secret values are missing; their placeholders stay in the restored files.</summary>
    public bool AllowMissingSecrets { get; init; }
    /// <summary>Where the safety snapshot of the live configuration goes; null means &lt;artifacts&gt;/snapshots.</summary>
    public string? SnapshotDirectory { get; init; }
    /// <summary>True when the server answers healthy; when set and the server runs, the restore waits for it before committing.</summary>
    public Func<CancellationToken, Task<bool>>? HealthProbe { get; init; }
    public TimeSpan HealthTimeout { get; init; } = TimeSpan.FromMinutes(2);
    /// <summary>Longest wait for one helper container step (rename, cleanup).</summary>
    public TimeSpan StepTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Called after each durable step ("staged", "swap-begun", "swapped"); tests stop the process there to prove recovery.</summary>
    internal Func<string, CancellationToken, Task>? Checkpoint { get; init; }
}
