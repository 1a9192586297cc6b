namespace AirbyteOps.Setups.Restore;

/// <summary>What the RestoreSetup target was given; the build's parameters hold the defaults.</summary>
public sealed record RestoreOptions
{
    /// <summary>--setup: a name (under &lt;artifacts&gt;/setups/), or a path to a setup folder, a setup archive, or a plain archive of a /data tree.</summary>
    public required string Setup { get; init; }
    /// <summary>--artifacts: where setups/ and snapshots/ live.</summary>
    public required string ArtifactsDirectory { get; init; }
    /// <summary>--server-container: its volume at CONFIG_ROOT is the restore target.</summary>
    public required string ServerContainer { get; init; }
    /// <summary>
    /// --data-volume: the target when the server container is absent; null when none is named (a compose file that mounts
    /// no volume at CONFIG_ROOT: a database-era deployment needs none, a files-era restore then says to pass --data-volume).
    /// </summary>
    public required string? DataVolume { get; init; }
    /// <summary>--config-root: CONFIG_ROOT in the server.</summary>
    public required string ConfigRoot { get; init; }
    /// <summary>The busybox image (by --images) of the helper containers that copy and rename in the volume.</summary>
    public required string HelperImage { get; init; }
    /// <summary>
    /// --volume-access: Auto reads (and, for a restore, writes) the data volume directly on this host's filesystem when
    /// HostVolume proves that possible, else through the engine; Engine always goes through the engine.
    /// </summary>
    public AirbyteOps.Docker.Host.VolumeAccess VolumeAccess { get; init; } = AirbyteOps.Docker.Host.VolumeAccess.Auto;
    /// <summary>--secrets-file; null (not given): &lt;setup&gt;.secrets.json next to the setup.</summary>
    public string? SecretsFile { get; init; }
    /// <summary>--force-version: restore even when the setup's Airbyte major.minor differs from the server's.</summary>
    public required bool ForceVersion { get; init; }
    /// <summary>--allow-missing-secrets: restore even when secret values are missing; their placeholders stay in the restored files.</summary>
    public required bool AllowMissingSecrets { get; init; }
    /// <summary>
    /// --skip-config-check: restore without checking the config files against the target release's schemas (to put back a
    /// tree by hand and repair it there). Off: an invalid or stray file in config/&lt;TYPE&gt;/ refuses the restore before anything is written.
    /// </summary>
    public bool SkipConfigCheck { get; init; }
    /// <summary>--airbyte-version (or the version the build detected): the deployment's version, for the version and schema checks; null reads it off the server container.</summary>
    public string? AirbyteVersion { get; init; }
    /// <summary>Where the safety snapshot of the live configuration goes (not a parameter); null: &lt;artifacts&gt;/snapshots.</summary>
    public string? SnapshotDirectory { get; init; }
    /// <summary>True when the server answers healthy; when set and the server runs, the restore waits for it before committing. Null: no wait.</summary>
    public Func<CancellationToken, Task<bool>>? HealthProbe { get; init; }
    /// <summary>--timeout: how long to wait for the server's health after the swap.</summary>
    public required TimeSpan HealthTimeout { get; init; }
    /// <summary>Longest wait for one helper container step, rename or cleanup (not a parameter).</summary>
    public TimeSpan StepTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>--db-container: the jobs database's container (airbyte-db); null: the configuration only.</summary>
    public string? DatabaseContainer { get; init; }
    /// <summary>--workspace-volume: where a setup's job logs go (and where an interrupted restore's logs are finished).</summary>
    public string WorkspaceVolume { get; init; } = "airbyte_workspace";
    /// <summary>--scheduler-container: the other writer stopped with the server while the database is swapped.</summary>
    public string? SchedulerContainer { get; init; }
    /// <summary>--force-postgres-major: load a dump from another Postgres major version.</summary>
    public bool ForcePostgresMajor { get; init; }
    /// <summary>Longest wait for the database to accept connections.</summary>
    public TimeSpan DatabaseTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>More writers stopped with the server while the database is swapped (a database-era deployment's worker, cron, temporal, ...); absent ones are skipped.</summary>
    public IReadOnlyList<string> ExtraWriters { get; init; } = [];
    /// <summary>
    /// The compose project's host names (service and container names): a DATABASE_URL host outside them is an external
    /// database, which a database-era restore refuses. Null: not checked.
    /// </summary>
    public IReadOnlyCollection<string>? ComposeHosts { get; init; }
    /// <summary>The server's API (through airbyte-proxy) and its basic auth: a database-era restore reads workspaces, sources, destinations and connections back through it. Null: not read back.</summary>
    public DbEra.ConfigApi? ConfigApi { get; init; }

    /// <summary>Called after each durable step ("staging-written", "staged", "db-staged", "swap-begun", "db-swapped", "swapped"); tests stop the process there to prove recovery.</summary>
    internal Func<string, CancellationToken, Task>? Checkpoint { get; init; }
}
