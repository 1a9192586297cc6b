using AirbyteOps.Docker;

namespace AirbyteOps.Setups.Database;

/// <summary>
/// ExportSetup's database part: one consistent snapshot of configuration and database. The writers (server, scheduler)
/// are paused; the database's snapshot is exported (<see cref="SnapshotSession"/>), pg_dump of that snapshot starts
/// streaming into the setup (secrets cut out line by line on the way) and the configuration tree is read beside it; the
/// writers are unpaused once the tree is read, while the dump goes on, so the dump is the database as it was when the tree was read, and the dump is added to the manifest. Whatever happens (failure, Ctrl-C), every container is put back
/// as it was found: paused writers unpaused, a database started for the export stopped again.
/// </summary>
internal sealed class DatabaseExport(DockerEngine engine, ExportOptions options, DatabaseTarget target)
{
    /// <summary>The deployment's database, or null (none asked for, or no such container: then the log says the setup is configuration-only).</summary>
    public static async Task<DatabaseTarget?> LocateAsync(DockerEngine engine, ExportOptions options, Deployment deployment, Action<string> log, CancellationToken ct)
    {
        if (options.DatabaseContainer is null) return null;
        var recovered = await Writers.RecoverAsync(engine, Writers.RecordFileFor(options.ArtifactsDirectory, options.DatabaseContainer), ct).ConfigureAwait(false);
        if (recovered is not null) log(recovered);
        var target = await DatabaseTarget.LocateAsync(engine, options.DatabaseContainer, deployment.ServerEnvironment, ct).ConfigureAwait(false);
        if (target is null)
            log($"No database container '{options.DatabaseContainer}': the setup will hold the configuration only (no sync state, no job history); pass --db-container if the database has another name.");
        return target;
    }

    /// <param name="checkConfiguration">
    /// The checks of the captured tree that need nothing from the database (the tree as the restore would judge it): run
    /// beside the dump, once the writers run again. A failure there stops the dump and is the one thrown.
    /// </param>
    /// <param name="beforePause">What must be done before the writers are paused (ExportSetup: the connector specs asked of the
    /// server, which answers nothing while paused); it runs beside the snapshot session's start and is awaited first.</param>
    /// <param name="dumpFolder">A folder of its own (a partial beside the setup's) for the dump while the tree is read; moved into the capture, then removed.</param>
    public async Task<(SetupCapture Capture, TimeSpan Held)> CaptureAsync(Func<Task<SetupCapture>> captureConfiguration, string dumpFolder, Action<string> log, CancellationToken ct,
        Func<SetupCapture, CancellationToken, Task>? checkConfiguration = null, Task? beforePause = null)
    {
        // The snapshot's psql session is opened before the writers are paused, and its first answer (the server's version,
        // which the dump's manifest needs, from its real server, not a first start's temporary one) proves the database
        // accepts connections: no readiness and no version exec of their own, and the session's start is not part of the
        // writers' hold. Only the snapshot itself is taken while they are paused. A database that does not answer yet (or a stopped one, started for this run) is waited for first.
        var startedDatabase = false;
        SnapshotSession? snapshot = null;
        try
        {
            (string Version, int Major)? version = null;
            if (target.Container.IsRunning)
            {
                snapshot = SnapshotSession.Start(engine, target);
                version = await snapshot.TryVersionAsync(options.DatabaseTimeout, ct).ConfigureAwait(false);
                if (version is null)
                {
                    await snapshot.DisposeAsync().ConfigureAwait(false);
                    snapshot = null;
                }
            }
            if (snapshot is null)
            {
                startedDatabase = await target.EnsureRunningAsync(engine, options.DatabaseTimeout, log, ct).ConfigureAwait(false);
                snapshot = SnapshotSession.Start(engine, target);
                version = await snapshot.TryVersionAsync(options.DatabaseTimeout, ct).ConfigureAwait(false)
                    ?? throw new DockerOpsException($"Database '{target.Database}' in container '{target.Name}' accepts connections but psql could not ask its version; check docker logs {target.Name} and run again.");
            }
            if (beforePause is not null) await beforePause.ConfigureAwait(false);
            var names = new[] { options.ServerContainer, options.SchedulerContainer }.OfType<string>();
            var writers = await Writers.PauseAsync(engine, names, Writers.RecordFileFor(options.ArtifactsDirectory, target.Name), log, ct).ConfigureAwait(false);
            SetupCapture? capture = null;
            var keys = new HashSet<string>(options.ExtraSecretKeys, StringComparer.Ordinal);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            Task<DatabaseCapture.Dump>? dumping = null;
            try
            {
                try
                {
                    await CheckpointAsync("quiesced", ct).ConfigureAwait(false);
                    // The database's snapshot and the configuration are taken while nothing writes: together they are one moment.
                    await snapshot.ExportAsync(options.DatabaseTimeout, ct).ConfigureAwait(false);
                    // The dump of that snapshot starts at once, beside the configuration's read, into a folder of its own (moved
                    // into the capture once both are done): it reads the snapshot, which no later write changes, so the writers
                    // run again as soon as the tree is read, whether the dump has ended or not.
                    log($"Dumping database '{target.Database}' in container '{target.Name}' as it is at this moment, while the configuration is read (pg_dump of snapshot {snapshot.Name}, streamed into the setup with its secrets cut out)...");
                    dumping = DatabaseCapture.DumpAsync(engine, target, dumpFolder, options.SecretsMode, keys, stop.Token, snapshot.Name, version);
                    capture = await captureConfiguration().ConfigureAwait(false);
                }
                finally
                {
                    // Released as soon as both are taken (also on failure or Ctrl-C): the dump reads the snapshot, not the live database.
                    await writers.ReleaseAsync(log).ConfigureAwait(false);
                }
                await CheckpointAsync("released", ct).ConfigureAwait(false);
                // The tree's own checks run beside the rest of the dump (they read the captured folder's data/, the dump writes
                // its own folder): the dump's time is mostly Postgres's, in its container.
                var captured = capture;
                if (checkConfiguration is not null) await Task.Run(() => checkConfiguration(captured, stop.Token), stop.Token).ConfigureAwait(false);
                var dump = await dumping.ConfigureAwait(false);
                DatabaseCapture.MoveInto(dumpFolder, capture.Folder, dump.File);
                await snapshot.DisposeAsync().ConfigureAwait(false);
                snapshot = null;
                await CheckpointAsync("dumped", ct).ConfigureAwait(false);
                capture = await DatabaseCapture.AddAsync(capture, dump, ct).ConfigureAwait(false);
                if (options.IncludeLogs)
                    capture = await Logs.LogsCapture.AddAsync(engine, capture, dump.Extracted.Attempts, options.WorkspaceVolume, options.HelperImage, log, ct).ConfigureAwait(false);
                return (capture, writers.Held);
            }
            catch
            {
                // A dump still running (the read or a check failed first) ends before its folder goes, and one that already
                // failed is observed: the first failure is the one told.
                if (dumping is not null)
                {
                    await stop.CancelAsync().ConfigureAwait(false);
                    try { await dumping.ConfigureAwait(false); }
                    catch (Exception) { /* the first failure is the one told */ }
                }
                capture?.Discard();
                throw;
            }
            finally
            {
                if (Directory.Exists(dumpFolder)) Directory.Delete(dumpFolder, recursive: true);
            }
        }
        finally
        {
            if (snapshot is not null) await snapshot.DisposeAsync().ConfigureAwait(false);
            if (startedDatabase)
            {
                log($"Stopping database container '{target.Name}' again (it was not running before the export).");
                await engine.Containers.StopAsync(target.Name, TimeSpan.FromSeconds(30), CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private Task CheckpointAsync(string step, CancellationToken ct) => options.Checkpoint?.Invoke(step, ct) ?? Task.CompletedTask;
}
