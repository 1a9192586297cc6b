using System.Formats.Tar;
using AirbyteOps.Docker;
using AirbyteOps.Docker.Host;
using AirbyteOps.IO;
using AirbyteOps.Progress;

namespace AirbyteOps.Setups.Restore;

/// <summary>
/// RestoreSetup: puts a setup back into the data volume so that it either fully succeeds or leaves the live configuration
/// as it was. In order: validate the whole setup (names, links, checksums, secrets, version) without writing anything;
/// recover any interrupted earlier restore; snapshot the live tree to this machine; stream the new tree into a staging
/// area inside the volume and read it back; swap it in by renames within the volume; read the live tree back against the
/// checksums; wait for the server's health; commit. Any failure after the snapshot puts the old tree back.
/// </summary>
public sealed class RestoreSetupOperation(DockerEngine engine)
{
    public async Task<RestoreResult> RunAsync(RestoreOptions options, Action<string> log, CancellationToken ct = default)
    {
        // Some steps run side by side (the snapshot's tree read and its pg_dump; the staging tree and the staged database;
        // the read-backs of the configuration and the database): their lines go out one at a time, whole.
        log = Serialized(log);
        var location = SetupLocation.ForRestore(options.Setup, options.ArtifactsDirectory, options.SecretsFile);
        var reader = SetupContent.ReaderFor(location);
        log($"Checking {reader.Description}...");
        SetupContent content;
        using (var checking = SetupContent.ProgressFor(location, reader, log))
        {
            content = await SetupContent.LoadAsync(reader, location.SecretsFile, options.AllowMissingSecrets, ct, checking).ConfigureAwait(false);
        }
        var files = content.Expected.Count(e => e.Kind is EntryKind.File or EntryKind.HardLink);
        log(content.Manifest is { IsDatabaseEra: true }
            ? "A database-era setup: no configuration files, everything is in its database dump."
            : content.Manifest is null
            ? $"No manifest (a plain archive or copy of a /data tree): {files} files, every entry checked for safety; no checksums or Airbyte version to compare."
            : $"{files} files match the manifest's checksums; every entry stays inside the tree.");
        if (content.MissingSecrets.Count > 0)
            log($"--allow-missing-secrets: {content.MissingSecrets.Count} placeholder(s) stay in the restored files ({string.Join(", ", content.MissingSecrets.Take(3).Select(s => s.Placeholder))}{(content.MissingSecrets.Count > 3 ? ", ..." : "")}).");

        var deployment = await Deployment.LocateAsync(engine, options.ServerContainer, options.DataVolume, options.ConfigRoot, ct).ConfigureAwait(false);
        if (options.AirbyteVersion is not null) deployment = deployment with { AirbyteVersion = options.AirbyteVersion };
        // The era chooses the path; a setup of the other era is refused before anything is written.
        var era = await DbEra.EraGate.JudgeAsync(engine, options.ServerContainer, options.DatabaseContainer, options.ComposeHosts, deployment.AirbyteVersion, "restore", ct).ConfigureAwait(false);
        var setupIsDatabaseEra = content.Manifest?.IsDatabaseEra == true;
        if (setupIsDatabaseEra && era.Era != Era.AirbyteEra.Database)
            throw new SetupException($"Refusing to restore setup '{location.Name}': it is a database-era setup (Airbyte {content.Manifest!.AirbyteVersion ?? "0.30 – 0.63"}: a dump of the database that holds the configuration), and this deployment ({era.Evidence}) keeps its configuration in files under {options.ConfigRoot}; restore it into a database-era (0.30 – 0.63) deployment. Nothing was written.");
        if (!setupIsDatabaseEra && era.Era == Era.AirbyteEra.Database)
            throw new SetupException($"Refusing to restore setup '{location.Name}': it holds a configuration tree (files under CONFIG_ROOT, Airbyte {content.Manifest?.AirbyteVersion ?? "0.7 – 0.27.3"}), and this deployment ({era.Evidence}) keeps its configuration in the database, which ignores those files; restore it into an Airbyte of its own version, then upgrade that one. Nothing was written.");
        if (setupIsDatabaseEra)
            return await new DbEra.DbEraRestore(engine, options).RunAsync(content, location, deployment, era, log, ct).ConfigureAwait(false);
        if (deployment.Volume is null)
            throw new DockerOpsException(options.DataVolume is null
                ? $"Container '{options.ServerContainer}' keeps {options.ConfigRoot} in no named volume and no data volume is named (the compose file mounts none at CONFIG_ROOT); RestoreSetup writes into the data volume (pass --data-volume)."
                : $"Container '{options.ServerContainer}' keeps {options.ConfigRoot} in no named volume and volume '{options.DataVolume}' does not exist; RestoreSetup writes into the data volume (pass --data-volume).");
        CheckVersion(content.Manifest?.AirbyteVersion, deployment.AirbyteVersion, options.ForceVersion, location.Name, log);
        await ConfigTreeValidator.ValidateAsync(content, deployment.AirbyteVersion, options.SkipConfigCheck, location.Name, log, ct).ConfigureAwait(false);
        var database = await DatabaseRestore.PrepareAsync(engine, options, deployment, content.Database, location.Name, log, ct).ConfigureAwait(false);

        var healthyBefore = await HealthyNowAsync(options, deployment, ct).ConfigureAwait(false);
        // A killed earlier run's helper containers (created, or still running a step) go before anything touches the volumes.
        await engine.RemoveOrphanedHelpersAsync([deployment.Volume, options.WorkspaceVolume], log, ct).ConfigureAwait(false);
        await using var volume = await engine.Volumes.OpenAsync(deployment.Volume, options.HelperImage, readOnly: false, ct).ConfigureAwait(false);
        // The data path, said in one line: the volume on this host's filesystem when the engine is local and this process
        // can read and write it, else through the engine (archive endpoint and helper containers).
        var (host, dataPath) = await HostVolume.LocateAsync(engine, deployment.Volume, options.VolumeAccess, c => volume.StatAsync("", c), ct).ConfigureAwait(false);
        log(host is not null
            ? $"Data path: volume '{deployment.Volume}' is written and read directly on this host ({dataPath})."
            : $"Data path: volume '{deployment.Volume}' is written and read through the Docker engine ({dataPath}).");
        var work = new VolumeWorkArea(engine, volume, options.HelperImage, options.StepTimeout, host);
        // The job logs' part first: whether an interrupted restore's logs stay or go back depends on the data volume's work area.
        await using var logs = await Logs.LogsRestore.PrepareAsync(engine, options, content.Logs,
            content.Logs is null && await volume.StatAsync(LiveTree.WorkDirectory, ct).ConfigureAwait(false) is not null, location.Name, log, ct).ConfigureAwait(false);
        var recoveredLogs = logs is null ? null : await logs.RecoverAsync(volume, ct).ConfigureAwait(false);
        if (recoveredLogs is not null) log(recoveredLogs);
        var recoveredDatabase = database is null ? null : await database.RecoverAsync(volume, log, ct).ConfigureAwait(false);
        if (recoveredDatabase is not null) log(recoveredDatabase);
        var recovered = await work.RecoverAsync(ct).ConfigureAwait(false);
        if (recovered is not null) log(recovered);
        var recoveredWriters = database is null ? null : await Writers.RecoverAsync(engine, Writers.RecordFileFor(options.ArtifactsDirectory, database.Target.Name), ct).ConfigureAwait(false);
        if (recoveredWriters is not null) log(recoveredWriters);
        recovered = string.Join(" ", new[] { recoveredLogs, recoveredDatabase, recovered, recoveredWriters }.OfType<string>()) is { Length: > 0 } said ? said : null;

        // The safety snapshot and the "already identical" check come from one read of the live tree.
        log($"Reading the live configuration from volume '{deployment.Volume}' (safety snapshot)...");
        var snapshotRoot = options.SnapshotDirectory ?? Path.Combine(options.ArtifactsDirectory, "snapshots");
        Directory.CreateDirectory(snapshotRoot);
        var snapshotPath = Path.GetFullPath(Path.Combine(snapshotRoot, $"{deployment.Volume}-{DateTime.UtcNow:yyyyMMdd-HHmmss}"));
        SetupCapture snapshot;
        var snapshotSource = new SetupSource("volume", deployment.Volume, options.ConfigRoot, engine.Endpoint.ToString(), Environment.MachineName);
        // The live database's pg_dump runs while the tree is read (nothing has changed yet, and neither waits for the other);
        // it goes to a hidden folder of its own beside the snapshot and is moved into the snapshot once both are complete.
        var dumpFolder = AtomicFile.PartialPath(snapshotPath + ".database");
        var dumping = database is null ? Task.FromResult<DatabaseCapture.Dump?>(null) : database.SnapshotAsync(dumpFolder, log, ct);
        try
        {
            using var reading = ProgressReporter.ForConsole($"Reading the live configuration from volume '{deployment.Volume}'", null, null, log);
            if (host is not null)
            {
                snapshot = await SetupCapture.CaptureHostAsync(host, $"volume '{deployment.Volume}'", AtomicFile.PartialPath(snapshotPath), snapshotSource,
                    deployment.AirbyteVersion, SecretsMode.Sidecar, new HashSet<string>(), ct, progress: reading).ConfigureAwait(false);
            }
            else
            {
                await using var liveTar = await volume.CopyOutAsync("", ct).ConfigureAwait(false);
                snapshot = await SetupCapture.CaptureAsync(liveTar, $"volume '{deployment.Volume}'", AtomicFile.PartialPath(snapshotPath), snapshotSource,
                    deployment.AirbyteVersion, SecretsMode.Sidecar, new HashSet<string>(), ct, progress: reading).ConfigureAwait(false);
            }
        }
        catch
        {
            await SettleAsync(dumping).ConfigureAwait(false);
            DeleteFolder(dumpFolder);
            throw;
        }
        DatabaseCapture.Dump? liveDump;
        try
        {
            liveDump = await dumping.ConfigureAwait(false);
            if (liveDump is not null) DatabaseCapture.MoveInto(dumpFolder, snapshot.Folder, liveDump.File);
        }
        catch
        {
            snapshot.Discard();
            throw;
        }
        finally
        {
            DeleteFolder(dumpFolder);
        }
        var counts = ConfigCounts.Of(content.Expected);
        // A setup with job logs is identical only when the workspace volume holds its logs too (a wiped workspace beside an
        // unchanged configuration and database still gets them back).
        if (TreeDiff.Compare(LiveTree.Canonical(snapshot.Live), LiveTree.Canonical(content.Expected)).IsEmpty && (database?.Identical(liveDump) ?? true)
            && (logs is null || await logs.LiveMatchesAsync(ct).ConfigureAwait(false)))
        {
            snapshot.Discard();
            log($"The live configuration in volume '{deployment.Volume}' is already identical to setup '{location.Name}' ({files} files{(content.Logs is null ? "" : ", job logs included")}); nothing changed.");
            return new RestoreResult(location.Name, deployment.Volume, true, files, null, recovered, counts, content.MissingSecrets);
        }
        if (liveDump is not null) snapshot = await DatabaseCapture.AddAsync(snapshot, liveDump, ct).ConfigureAwait(false);
        // Nothing lost: the live job folders the setup's logs replace go into the snapshot too, so restoring it gives them back.
        if (content.Logs is { } setupLogs && logs is not null)
            snapshot = await Logs.LogsCapture.AddReplacedFoldersAsync(engine, snapshot, setupLogs.JobFolders, logs.Volume, options.HelperImage, log, ct).ConfigureAwait(false);
        await snapshot.PublishSecretsAsync(Path.Combine(snapshotRoot, Path.GetFileName(snapshotPath) + SecretVault.SecretsSuffix)).ConfigureAwait(false);
        snapshot.PublishFolder(snapshotPath);
        log($"Safety snapshot of the current configuration: {snapshotPath} (restore it with --setup {snapshotPath}).");

        SwapPlan? plan = null;
        Task staging = Task.CompletedTask, stopping = Task.CompletedTask;
        // Direct path: what the staging's read-back hashed, so that the live check after the swap (renames of the folders above
        // those files) reads again only the files whose stamp changed.
        var stagedFiles = host is null ? null : new KnownFiles();
        try
        {
            // The staged database is loaded (beside the live one, which keeps serving) while the staging tree is written
            // and read back: neither touches what the other does, and nothing live changes until the swap.
            staging = database is null ? Task.CompletedTask : database.StageAsync(log, ct);
            // The writers' stop, which the database swap needs, starts as soon as nothing before the swap needs the server
            // running: at once on the direct path; through the engine, after the staging's read-back (it runs in the server).
            // Stopping them changes nothing live; any failure from here on starts them again.
            if (host is not null) stopping = StopWritersAsync(database, log, ct);
            log($"Writing {files} files into the staging area of volume '{deployment.Volume}'...");
            using (var writing = ForTree($"Writing into the staging area of volume '{deployment.Volume}'", content.Expected, log))
            {
                await work.WriteStagingTreeAsync(sink => WriteTreeAsync(sink, content, writing, ct), ct).ConfigureAwait(false);
            }
            await CheckpointAsync(options, "staging-written", ct).ConfigureAwait(false);
            await VerifyAsync(host, deployment, options.HelperImage, options.StepTimeout, volume, VolumeWorkArea.Staging, content.Expected, "the staging area", log, ct, remember: stagedFiles).ConfigureAwait(false);
            if (host is null) stopping = StopWritersAsync(database, log, ct);
            await stopping.ConfigureAwait(false);
            await CheckpointAsync(options, "staged", ct).ConfigureAwait(false);
            if (database is not null)
            {
                await staging.ConfigureAwait(false);
                await CheckpointAsync(options, "db-staged", ct).ConfigureAwait(false);
            }
            if (logs is not null) await logs.StageAsync(location.Name, log, ct).ConfigureAwait(false);

            plan = new SwapPlan(location.Name, DateTimeOffset.UtcNow, TopLevel(snapshot.Live), TopLevel(content.Expected));
            await work.BeginSwapAsync(plan, ct).ConfigureAwait(false);
            if (logs is not null) await logs.BeginSwapAsync(ct).ConfigureAwait(false);
            await CheckpointAsync(options, "swap-begun", ct).ConfigureAwait(false);
            if (database is not null)
            {
                await database.SwapAsync(log, ct).ConfigureAwait(false);
                await CheckpointAsync(options, "db-swapped", ct).ConfigureAwait(false);
            }
            log("Swapping the new configuration in (renames within the volume)...");
            await work.SwapAsync(plan, ct).ConfigureAwait(false);
            if (logs is not null)
            {
                await logs.SwapAsync(log, ct).ConfigureAwait(false);
                await CheckpointAsync(options, "logs-swapped", ct).ConfigureAwait(false);
            }
            await CheckpointAsync(options, "swapped", ct).ConfigureAwait(false);

            log(stagedFiles is null ? "Reading the live configuration back against the checksums..."
                : "Checking the live configuration against the checksums (a file still as the staging's read-back found it is not read again)...");
            // The live database's rows are counted while the configuration is read back: both only read, and the writers
            // stay stopped until both have matched.
            var counting = database is null ? Task.CompletedTask : database.VerifyAsync(log, ct);
            try
            {
                await VerifyAsync(host, deployment, options.HelperImage, options.StepTimeout, volume, "", content.Expected, "the live configuration", log, ct, known: stagedFiles).ConfigureAwait(false);
            }
            catch
            {
                await SettleAsync(counting).ConfigureAwait(false);
                throw;
            }
            await counting.ConfigureAwait(false);
            // The server is started first and its health awaited while the other writers (the scheduler) start: the health
            // question needs only the server, and every check of what landed is done before any writer runs again.
            var serverBack = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var releasing = database is null ? Task.CompletedTask : database.ReleaseWritersAsync(log, deployment.Server?.Name, serverBack);
            try
            {
                await Task.WhenAny(database is null ? Task.CompletedTask : serverBack.Task, releasing).ConfigureAwait(false);
                if (releasing.IsFaulted || releasing.IsCanceled) await releasing.ConfigureAwait(false);
                if (healthyBefore)
                {
                    log("Waiting for the server's health...");
                    // Asked every 100 ms: a local HTTP request, so the moment the server answers is the moment the wait ends.
                    var took = await Readiness.WaitUntilAsync($"server '{deployment.Server!.Name}' to be healthy with the restored configuration", options.HealthProbe!, options.HealthTimeout, TimeSpan.FromMilliseconds(100), ct).ConfigureAwait(false);
                    log($"Server healthy after {took.TotalSeconds:0.#} s.");
                }
            }
            catch
            {
                // The rollback stops the writers again: every start still in flight ends first.
                await SettleAsync(releasing).ConfigureAwait(false);
                throw;
            }
            await releasing.ConfigureAwait(false);
            await work.CommitAsync(ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || ct.IsCancellationRequested)
        {
            var why = ex switch
            {
                AirbyteOpsException => ex.Message,
                OperationCanceledException when ct.IsCancellationRequested => "interrupted (Ctrl-C or SIGTERM)",
                _ => $"{ex.GetType().Name}: {ex.Message.Split('\n')[0]}",
            };
            log($"Restore failed ({why}); putting the previous configuration{(database?.Restores == true ? " and database" : "")} back...");
            // A staged database still loading (the tree's part failed first) ends before the rollback drops it, and a stop of the
            // writers still under way before the rollback starts them again.
            await SettleAsync(staging).ConfigureAwait(false);
            await SettleAsync(stopping).ConfigureAwait(false);
            try
            {
                if (logs is not null) await logs.RollbackAsync().ConfigureAwait(false);
                if (plan is not null) await work.RollbackAsync(plan, CancellationToken.None).ConfigureAwait(false);
                if (database is not null) await database.RollbackAsync(log).ConfigureAwait(false);
                await work.RemoveAsync(CancellationToken.None).ConfigureAwait(false);
                await VerifyAsync(host, deployment, options.HelperImage, options.StepTimeout, volume, "", snapshot.Live, "the previous configuration", log, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception rollback)
            {
                throw SameConcern(ex, $"{why.TrimEnd('.')}. Putting the previous configuration back failed too ({rollback.Message.TrimEnd('.')}); run ./build.sh RestoreSetup again to finish the rollback, or restore the safety snapshot {snapshotPath}.");
            }
            throw SameConcern(ex, $"{why.TrimEnd('.')}. The previous configuration{(database?.Restores == true ? " and database were" : " was")} put back and verified; nothing changed (safety snapshot: {snapshotPath}).");
        }

        if (database is not null) await database.CommitAsync(log, ct).ConfigureAwait(false);
        if (logs is not null) await logs.CommitAsync(log, ct).ConfigureAwait(false);
        log($"Restored setup '{location.Name}' into volume '{deployment.Volume}': {ConfigCounts.Format(counts)}.");
        if (database?.Restores == true)
            log($"Restored database '{database.Live}' in container '{database.Target.Name}': {content.Database!.Manifest.Summary()} (sync state and job history as exported).");
        if (content.Logs is { } restoredLogs)
            log($"Restored {restoredLogs.Manifest.Files.Count} job log(s) into workspace volume '{logs!.Volume}' (./build.sh Logs lists them).");
        else if (database?.Restores == true)
            log("No job logs in this setup (exported without --include logs): Logs lists only the attempts the workspace volume already has.");
        if (!healthyBefore && deployment.ServerRunning && options.HealthProbe is not null)
            log("The server was not healthy before the restore, so the restore did not wait for its health.");
        return new RestoreResult(location.Name, deployment.Volume, false, files, snapshotPath, recovered, counts, content.MissingSecrets);
    }

    private static Task StopWritersAsync(DatabaseRestore? database, Action<string> log, CancellationToken ct) =>
        database is null ? Task.CompletedTask : database.StopWritersAsync(log, ct);

    /// <summary>A log that writes one line at a time whatever thread calls it (the caller's may be a plain list).</summary>
    private static Action<string> Serialized(Action<string> log)
    {
        var gate = new object();
        return line =>
        {
            lock (gate) log(line);
        };
    }

    /// <summary>Waits for a side task to end, whatever its outcome: used when another step failed first and is the error to report.</summary>
    private static async Task SettleAsync(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The first failure is the one reported; this one ended with it (the same cancellation, or a consequence).
        }
    }

    private static void DeleteFolder(string folder)
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }

    /// <summary>The restore's failure with the rollback's outcome added, of the cause's concern: an engine failure stays one.</summary>
    private static AirbyteOpsException SameConcern(Exception cause, string message) =>
        cause is DockerOpsException ? new DockerOpsException(message, cause) : new SetupException(message, cause);

    private static void CheckVersion(string? setupVersion, string? serverVersion, bool force, string setup, Action<string> log)
    {
        if (AirbyteVersion.Incompatible(setupVersion, serverVersion))
        {
            if (!force)
                throw new SetupException($"Setup '{setup}' is from Airbyte {setupVersion} and the server runs {serverVersion} (major.minor differ); pass --force-version to restore anyway. Nothing was written.");
            log($"--force-version: restoring a setup from Airbyte {setupVersion} into Airbyte {serverVersion}.");
        }
        else if (setupVersion is null || serverVersion is null)
        {
            log($"Airbyte version check skipped (setup: {setupVersion ?? "unknown"}, server: {serverVersion ?? "unknown"}).");
        }
    }

    private static async Task<bool> HealthyNowAsync(RestoreOptions options, Deployment deployment, CancellationToken ct)
    {
        if (options.HealthProbe is null || !deployment.ServerRunning) return false;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            return await options.HealthProbe(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not AirbyteOpsException && !ct.IsCancellationRequested)
        {
            return false;
        }
    }

    private static Task CheckpointAsync(RestoreOptions options, string step, CancellationToken ct) =>
        options.Checkpoint?.Invoke(step, ct) ?? Task.CompletedTask;

    private static List<string> TopLevel(IEnumerable<TreeEntry> entries) =>
        entries.Select(e => e.Path.Split('/')[0]).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    /// <summary>A progress line over the files of <paramref name="tree"/>: their count and bytes are the totals.</summary>
    private static ProgressReporter ForTree(string what, IReadOnlyList<TreeEntry> tree, Action<string> log)
    {
        var files = tree.Where(e => e.Kind == EntryKind.File).ToList();
        return ProgressReporter.ForConsole(what, files.Count, files.Sum(e => e.Size), log);
    }

    /// <summary>
    /// Reads a tree in the volume back and compares it with what it must be; a difference is an error naming it. Checksummed
    /// where the data is (InPlaceTree: in the running server, only names, stats and checksums cross the engine) when that
    /// can be done, else read whole through the archive endpoint and checksummed here.
    /// </summary>
    /// <param name="remember">Direct path: the files read are remembered there with their stamps.</param>
    /// <param name="known">Direct path: a file whose stamp is still the one remembered there keeps its checksum, unread.</param>
    private async Task VerifyAsync(HostVolume? host, Deployment deployment, string helperImage, TimeSpan stepTimeout, MountedVolume volume, string relative, IReadOnlyList<TreeEntry> expected, string what, Action<string> log, CancellationToken ct,
        KnownFiles? remember = null, KnownFiles? known = null)
    {
        IReadOnlyList<TreeEntry>? live;
        if (host is not null)
        {
            // The direct path: the files as they are on the volume, read from this host's filesystem and hashed over the cores.
            using var progress = ForTree($"Reading back {what}", expected, log);
            live = await HostTree.ReadHashedAsync(host.PathOf(relative), $"volume '{volume.Volume}'", relative.Length == 0 ? LiveTree.WorkDirectory : null, ct, progress, remember, known).ConfigureAwait(false);
            if (known is not null)
                log($"  {live.Count(e => e.Kind == EntryKind.File) - known.ReadLast} file(s) unchanged since the staging's read-back (the same inode, size and times), {known.ReadLast} read again.");
        }
        else live = await InPlaceTree.ReadAsync(engine, deployment, relative, expected, helperImage, stepTimeout, ct).ConfigureAwait(false);
        if (live is null)
        {
            using var progress = ForTree($"Reading back {what}", expected, log);
            await using var tar = await volume.CopyOutAsync(relative, ct).ConfigureAwait(false);
            live = (await LiveTree.ReadAsync(tar, $"volume '{volume.Volume}'", ct: ct, progress: progress).ConfigureAwait(false)).Entries;
        }
        var diff = TreeDiff.Compare(LiveTree.Canonical(expected), LiveTree.Canonical(live));
        if (!diff.IsEmpty)
            throw new SetupException($"Reading back {what} in volume '{volume.Volume}' does not match ({diff.Summary()}).");
    }

    /// <summary>Second pass over the setup: streams each entry into <paramref name="sink"/>, secrets put back.</summary>
    private static async Task WriteTreeAsync(ITreeSink sink, SetupContent content, ProgressReporter progress, CancellationToken ct)
    {
        if (sink is HostTreeSink host && content.Reader is FolderTreeReader folder)
        {
            await host.WriteFromFolderAsync(content.Stored, Path.Combine(folder.Root, content.Prefix), content.Replacements, folder.Description, progress, ct).ConfigureAwait(false);
            return;
        }
        var facts = content.Stored.ToDictionary(e => e.Path, StringComparer.Ordinal);
        // Hard links go last: their target must exist when they are made, whatever order the setup lists them in.
        var hardLinks = new List<TreeEntry>();
        await content.Reader.ReadAsync(async (raw, stream) =>
        {
            if (content.TreePath(raw.Name) is not { } path || !facts.TryGetValue(path, out var entry)) return;
            if (entry.Kind == EntryKind.HardLink)
            {
                hardLinks.Add(entry);
                return;
            }
            await WriteEntryAsync(sink, entry, content, stream, progress, ct).ConfigureAwait(false);
        }, ct).ConfigureAwait(false);
        foreach (var link in hardLinks) await WriteEntryAsync(sink, link, content, null, progress, ct).ConfigureAwait(false);
    }

    private static async Task WriteEntryAsync(ITreeSink sink, TreeEntry entry, SetupContent content, Stream? stream, ProgressReporter progress, CancellationToken ct)
    {
        if (entry.Kind != EntryKind.File)
        {
            await sink.WriteAsync(entry, null, ct).ConfigureAwait(false);
            return;
        }
        if (content.Replacements.TryGetValue(entry.Path, out var bytes))
        {
            // The file with its secrets put back: its size is the restored bytes', not the setup's (placeholders).
            await sink.WriteAsync(entry with { Size = bytes.LongLength }, new MemoryStream(bytes), ct).ConfigureAwait(false);
            progress.Add(1, entry.Size);
            return;
        }
        await using (var counted = new ProgressStream(stream ?? Stream.Null, progress, leaveOpen: true))
        {
            await sink.WriteAsync(entry, counted, ct).ConfigureAwait(false);
        }
        progress.Add(1, 0);
    }
}
