using AirbyteOps.Docker;

namespace AirbyteOps.Setups.DbEra;

/// <summary>
/// ExportSetup for a database-era deployment (Airbyte 0.30 – 0.63): everything it is configured with (workspaces,
/// sources, destinations, connections, secrets, sync state, job history) lives in the database `airbyte`, so the setup
/// is one consistent pg_dump of it: its snapshot is exported while the writers (server, worker, cron, temporal, ...; never
/// the database) are paused (<see cref="SnapshotSession"/>), the writers are put back exactly as they were found, and
/// pg_dump then dumps that snapshot (also on failure or Ctrl-C; a killed run's record is repaired by the
/// next one). Secrets out into the sidecar: every payload of the secrets table and every inline secret of a JSON column
/// (actor.configuration, jobs.config, ...). The manifest says the era, the Airbyte version, the newest applied Flyway
/// migration of each database and the Postgres version. The Temporal databases are not carried (see the README).
/// </summary>
internal sealed class DbEraExport(DockerEngine engine, ExportOptions options)
{
    public static IEnumerable<string> WriterNames(string server, string? scheduler, IEnumerable<string> extra) =>
        new[] { server, scheduler }.OfType<string>().Concat(extra).Distinct(StringComparer.Ordinal);

    public async Task<(SetupCapture Capture, TimeSpan Held)> CaptureAsync(DatabaseTarget target, string? version, string partial, Action<string> log, CancellationToken ct)
    {
        var recovered = await Writers.RecoverAsync(engine, Writers.RecordFileFor(options.ArtifactsDirectory, target.Name), ct).ConfigureAwait(false);
        if (recovered is not null) log(recovered);
        var startedDatabase = await target.EnsureRunningAsync(engine, options.DatabaseTimeout, log, ct).ConfigureAwait(false);
        try
        {
            var writers = await Writers.PauseAsync(engine, WriterNames(options.ServerContainer, options.SchedulerContainer, options.ExtraWriters),
                Writers.RecordFileFor(options.ArtifactsDirectory, target.Name), log, ct).ConfigureAwait(false);
            DatabaseCapture.Dump dump;
            string? configs, jobs;
            SnapshotSession? snapshot = null;
            try
            {
                try
                {
                    await CheckpointAsync("quiesced", ct).ConfigureAwait(false);
                    // The snapshot is taken while nothing writes; the dump reads it after the writers run again.
                    snapshot = await SnapshotSession.OpenAsync(engine, target, options.DatabaseTimeout, ct).ConfigureAwait(false);
                    var shell = target.Shell(engine);
                    configs = await EraGate.NewestMigrationAsync(shell, target.Database, "airbyte_configs_migrations", ct).ConfigureAwait(false);
                    jobs = await EraGate.NewestMigrationAsync(shell, target.Database, "airbyte_jobs_migrations", ct).ConfigureAwait(false);
                }
                finally
                {
                    await writers.ReleaseAsync(log).ConfigureAwait(false);
                }
                await CheckpointAsync("released", ct).ConfigureAwait(false);
                log($"Dumping database '{target.Database}' in container '{target.Name}' as it was while the writers were paused (pg_dump of snapshot {snapshot.Name}; Flyway configs {configs ?? "none"}, jobs {jobs ?? "none"})...");
                dump = await DatabaseCapture.DumpAsync(engine, target, partial, options.SecretsMode, new HashSet<string>(options.ExtraSecretKeys, StringComparer.Ordinal), ct, snapshot.Name).ConfigureAwait(false);
                await CheckpointAsync("dumped", ct).ConfigureAwait(false);
            }
            finally
            {
                if (snapshot is not null) await snapshot.DisposeAsync().ConfigureAwait(false);
            }
            var source = new SetupSource("database", target.Name, target.Database, engine.Endpoint.ToString(), Environment.MachineName);
            return (await BuildAsync(dump, version, configs, jobs, source, partial, options.SecretsMode, ct).ConfigureAwait(false), writers.Held);
        }
        finally
        {
            if (startedDatabase)
            {
                log($"Stopping database container '{target.Name}' again (it was not running before the export).");
                await engine.Containers.StopAsync(target.Name, TimeSpan.FromSeconds(30), CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// A database-era setup in <paramref name="folder"/> (not yet published): the dump already streamed into its database/
    /// (secrets out per the mode, 0600), setup.json format 3 with era "database", no data/ tree. Shared with RestoreSetup's safety snapshot.
    /// </summary>
    public static async Task<SetupCapture> BuildAsync(DatabaseCapture.Dump dump, string? version, string? configsMigration, string? jobsMigration,
        SetupSource source, string folder, SecretsMode mode, CancellationToken ct)
    {
        try
        {
            Directory.CreateDirectory(folder);
            var empty = new SetupManifest
            {
                AirbyteVersion = version, Source = source, CreatedAt = DateTimeOffset.UtcNow, SecretsMode = mode, Entries = [], Era = SetupManifest.EraDatabase,
            };
            var capture = await DatabaseCapture.AddAsync(new SetupCapture(folder, [], empty, new Dictionary<string, SecretFileValues>(), false), dump, ct).ConfigureAwait(false);
            var manifest = capture.Manifest with
            {
                FormatVersion = SetupManifest.DatabaseEraFormatVersion,
                Contents = [SetupManifest.ContentDatabase],
                Era = SetupManifest.EraDatabase,
                Database = capture.Manifest.Database! with { ConfigsMigration = configsMigration, JobsMigration = jobsMigration },
            };
            await File.WriteAllBytesAsync(Path.Combine(folder, SetupManifest.FileName), manifest.ToJson(), ct).ConfigureAwait(false);
            return capture with { Manifest = manifest };
        }
        catch
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    private Task CheckpointAsync(string step, CancellationToken ct) => options.Checkpoint?.Invoke(step, ct) ?? Task.CompletedTask;
}
