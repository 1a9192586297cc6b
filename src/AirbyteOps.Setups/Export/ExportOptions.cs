namespace AirbyteOps.Setups.Export;

/// <summary>What the ExportSetup target was given; the build's parameters hold the defaults.</summary>
public sealed record ExportOptions
{
    /// <summary>--setup: a name (saved as &lt;artifacts&gt;/setups/&lt;name&gt;) or a path to a folder or a .tar.gz.</summary>
    public required string Setup { get; init; }
    /// <summary>--artifacts</summary>
    public required string ArtifactsDirectory { get; init; }
    /// <summary>--server-container</summary>
    public required string ServerContainer { get; init; }
    /// <summary>
    /// --data-volume: read when the server container is absent or stopped; null when none is named (a compose file that
    /// mounts no volume at CONFIG_ROOT: a database-era deployment needs none).
    /// </summary>
    public required string? DataVolume { get; init; }
    /// <summary>--config-root: CONFIG_ROOT in the server.</summary>
    public required string ConfigRoot { get; init; }
    /// <summary>The busybox image (by --images) of the never-started container that mounts the volume.</summary>
    public required string HelperImage { get; init; }
    /// <summary>
    /// --volume-access: Auto reads (and, for a restore, writes) the data volume directly on this host's filesystem when
    /// HostVolume proves that possible, else through the engine; Engine always goes through the engine.
    /// </summary>
    public AirbyteOps.Docker.Host.VolumeAccess VolumeAccess { get; init; } = AirbyteOps.Docker.Host.VolumeAccess.Auto;
    /// <summary>--secrets sidecar|inline</summary>
    public required SecretsMode SecretsMode { get; init; }
    /// <summary>--secret-keys: more key names whose values are secret (besides the policy's and airbyte_secret).</summary>
    public required IReadOnlyList<string> ExtraSecretKeys { get; init; }
    /// <summary>--archive: also write &lt;setup&gt;.tar.gz next to the folder.</summary>
    public required bool Archive { get; init; }
    /// <summary>--overwrite: replace a saved setup of the same name whose content differs (otherwise refused).</summary>
    public required bool Overwrite { get; init; }
    /// <summary>
    /// Where to find each connection's connector spec (the server's *_definition_specifications/get, a --connector-specs
    /// folder): its airbyte_secret fields are secret besides the key rules. Null: the key rules and the specs the tree carries.
    /// </summary>
    public ConnectorSpecLookup? ConnectorSpecs { get; init; }
    /// <summary>
    /// Called before the writers are paused (a paused server answers nothing): fetches the specs <see cref="ConnectorSpecs"/>
    /// will be asked for, so the capture never waits on the paused server.
    /// </summary>
    public Func<CancellationToken, Task>? PrefetchConnectorSpecs { get; init; }
    /// <summary>
    /// The helper image's check (the local recipe, which may build), started at once and awaited before the writers are paused
    /// or anything is read: it runs beside the deployment's look-up instead of before it. Null: nothing to check.
    /// </summary>
    public Func<CancellationToken, Task>? EnsureImages { get; init; }
    /// <summary>--airbyte-version: the version to record; null (not given) reads it from the server (AIRBYTE_VERSION, else its image tag).</summary>
    public string? AirbyteVersion { get; init; }
    /// <summary>--db-container: the jobs database's container (airbyte-db); null: no database part (a configuration-only setup).</summary>
    public string? DatabaseContainer { get; init; }
    /// <summary>--scheduler-container: the other writer held still with the server while the setup is captured.</summary>
    public string? SchedulerContainer { get; init; }
    /// <summary>
    /// --skip-config-check: save the tree even when a config file is one the deployment's Airbyte version would not read
    /// (schema-invalid, not JSON, stray in config/&lt;TYPE&gt;/); otherwise such a tree is refused, as RestoreSetup would refuse it.
    /// </summary>
    public bool SkipConfigCheck { get; init; }
    /// <summary>Longest wait for the database to accept connections (when it had to be started).</summary>
    public TimeSpan DatabaseTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>More writers paused with the server (a database-era deployment's worker, cron, temporal, ...); absent ones are skipped.</summary>
    public IReadOnlyList<string> ExtraWriters { get; init; } = [];
    /// <summary>The compose project's host names (service and container names), for the era probe's external-database check. Null: not checked.</summary>
    public IReadOnlyCollection<string>? ComposeHosts { get; init; }
    /// <summary>--include logs: also the workspace volume's job logs (logs.log of every attempt the database holds).</summary>
    public bool IncludeLogs { get; init; }
    /// <summary>--workspace-volume: where the job logs are (with <see cref="IncludeLogs"/>).</summary>
    public string WorkspaceVolume { get; init; } = "airbyte_workspace";

    /// <summary>--include: true when it names 'logs'; any other part is refused in one line.</summary>
    public static bool IncludesLogs(IEnumerable<string> include)
    {
        var parts = include.Select(p => p.Trim()).Where(p => p.Length > 0).ToList();
        foreach (var part in parts)
        {
            if (!string.Equals(part, SetupManifest.ContentLogs, StringComparison.OrdinalIgnoreCase))
                throw new SetupException($"--include '{part}' is not a part a setup can add; the configuration and the database are always in it, and the only optional part is 'logs' (--include logs).");
        }
        return parts.Count > 0;
    }

    /// <summary>Called at "walked" (the direct path: the tree listed, no file read yet), "quiesced" (writers held, nothing captured yet), "released" (snapshot and configuration taken, writers running again, nothing dumped yet) and "dumped" (both captured); tests fail, cancel or write there.</summary>
    internal Func<string, CancellationToken, Task>? Checkpoint { get; init; }
}
