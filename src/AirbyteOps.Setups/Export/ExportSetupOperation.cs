using AirbyteOps.Docker;
using AirbyteOps.Docker.Host;
using AirbyteOps.IO;
using AirbyteOps.Progress;

namespace AirbyteOps.Setups.Export;

/// <summary>
/// ExportSetup: reads CONFIG_ROOT from the running server (or straight from the data volume when the server is not
/// running) and saves it as a setup: data/ (the tree docker cp gives, modes included), setup.json (manifest with
/// sizes, modes, SHA-256), secrets in a 0600 sidecar. Everything is written under a hidden partial name and renamed
/// into place last. The same content already saved → "up to date"; different content → refused unless Overwrite.
/// </summary>
public sealed class ExportSetupOperation(DockerEngine engine)
{
    public async Task<ExportResult> RunAsync(ExportOptions options, Action<string> log, CancellationToken ct = default)
    {
        try
        {
            return await ExportAsync(options, log, ct).ConfigureAwait(false);
        }
        catch (IOException full) when (IsNoRoom(full))
        {
            // Every partial it wrote is gone by now (the capture's own clean-up); what was published before stays.
            var location = SetupLocation.ForExport(options.Setup, options.ArtifactsDirectory, options.Archive);
            throw new SetupException($"Cannot write setup '{location.Name}' under {Path.GetDirectoryName(location.Folder ?? location.Archive!)}: {full.Message.TrimEnd('.')}. " +
                "Nothing partial was left, and a setup of that name saved before is still the one RestoreSetup finds. Free space there (or make it writable), or pass --setup with a path on another disk, then run ExportSetup again.", full);
        }
    }

    /// <summary>The disk that holds the setup is full, over quota or read-only (ENOSPC, EDQUOT, EROFS).</summary>
    private static bool IsNoRoom(IOException error) => (error.HResult & 0xFFFF) is 28 or 122 or 30 || error.HResult == unchecked((int)0x80070070);

    /// <summary>The direct read's hook between its walk and its file reads: the "walked" checkpoint.</summary>
    private static Func<CancellationToken, Task>? Walked(ExportOptions options) =>
        options.Checkpoint is { } checkpoint ? c => checkpoint("walked", c) : null;

    private async Task<ExportResult> ExportAsync(ExportOptions options, Action<string> log, CancellationToken ct)
    {
        var location = SetupLocation.ForExport(options.Setup, options.ArtifactsDirectory, options.Archive);
        // The image check runs beside the look-ups below (they only read); it is awaited before anything is paused or read.
        var images = (options.EnsureImages?.Invoke(ct) ?? Task.CompletedTask).Observe();
        var deployment = await Deployment.LocateAsync(engine, options.ServerContainer, options.DataVolume, options.ConfigRoot, ct).ConfigureAwait(false);
        var version = options.AirbyteVersion ?? deployment.AirbyteVersion;
        // The era chooses the path: files (0.7 – 0.27.3) or database (0.30 – 0.63); the rest is refused before anything is written.
        var era = await DbEra.EraGate.JudgeAsync(engine, options.ServerContainer, options.DatabaseContainer, options.ComposeHosts, version, "export", ct).ConfigureAwait(false);
        var anchor = location.Folder ?? location.Archive!;
        Directory.CreateDirectory(Path.GetDirectoryName(anchor)!);
        if (options.SecretsMode == SecretsMode.Inline)
            log("Secrets mode 'inline': passwords, tokens and keys stay in the setup's files in plain text, as with the tutorial's docker cp. Do not commit or share this setup.");

        foreach (var final in new[] { location.Folder, location.Archive, location.SecretsFile }.OfType<string>())
            SetupCapture.RemoveLeftovers(final, log);
        var database = era.Era == Era.AirbyteEra.Database ? null : await DatabaseExport.LocateAsync(engine, options, deployment, log, ct).ConfigureAwait(false);
        if (options.IncludeLogs && era.Era == Era.AirbyteEra.Database)
            throw new SetupException("--include logs is for Airbyte up to 0.27.3 (job logs in the workspace volume, attempts in the jobs database); a database-era setup does not carry job logs yet. Export without it. Nothing was saved.");
        if (options.IncludeLogs && database is null)
            throw new SetupException("--include logs needs the jobs database: the logs taken are those of the attempts it holds, and without it a restore would have logs for a history it does not have; pass --db-container (airbyte-db). Nothing was saved.");
        await images.ConfigureAwait(false);
        var held = TimeSpan.Zero;
        SetupCapture capture;
        // The captured tree's checks (no restore half-done in the volume; every config file readable by the version): run
        // beside the database's dump when there is one, else right after the capture.
        var treeChecked = false;
        // The verify's checksum pass over the written tree files (every one read back from the disk and hashed) runs beside
        // these checks, so beside the dump: the verify after publishing takes those checksums and walks and checks the rest.
        Dictionary<string, FileHash>? prehashed = null;
        async Task CheckTree(SetupCapture captured, CancellationToken token)
        {
            SetupCapture.ThrowIfInterrupted(captured, deployment.Volume ?? options.DataVolume ?? options.ConfigRoot);
            if (captured.Manifest.IsDatabaseEra) return; // a database-era setup has no config tree
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(token);
            var hashing = WillPublishFolder(location, options) ? ReadBackAsync(captured, log, stop.Token) : null;
            try
            {
                await ReadableAsync(captured, version, options, log, token).ConfigureAwait(false);
            }
            catch
            {
                // Nothing is left reading the captured folder when the refusal is told (and the folder removed).
                await stop.CancelAsync().ConfigureAwait(false);
                if (hashing is not null) await Task.WhenAny(hashing.Observe()).ConfigureAwait(false);
                throw;
            }
            if (hashing is not null) prehashed = await hashing.ConfigureAwait(false);
        }
        if (era.Era == Era.AirbyteEra.Database)
        {
            log($"Database era ({era.Evidence}): the setup is the database '{DatabaseTarget.DatabaseOfJdbcUrl(deployment.ServerEnvironment?.GetValueOrDefault("DATABASE_URL")) ?? "airbyte"}' (configuration, secrets, sync state, job history).");
            var target = await DatabaseTarget.LocateAsync(engine, options.DatabaseContainer, deployment.ServerEnvironment, ct).ConfigureAwait(false)
                ?? throw new SetupException($"Refusing to export: {era.Evidence} keeps its configuration in the database, and there is no database container '{options.DatabaseContainer}'; pass --db-container. Nothing was written.");
            (capture, held) = await new DbEra.DbEraExport(engine, options).CaptureAsync(target, version ?? era.Facts?.AirbyteVersion, AtomicFile.PartialPath(anchor), log, ct).ConfigureAwait(false);
        }
        else if (database is null)
        {
            capture = await CaptureAsync(options, deployment, version, AtomicFile.PartialPath(anchor), log, ct).ConfigureAwait(false);
        }
        else
        {
            // The writers (the server among them) are paused for the capture, and a paused server answers no request: the
            // connector specs the capture needs are asked for now, beside the snapshot session's start; the pause waits for both.
            var prefetching = (options.PrefetchConnectorSpecs?.Invoke(ct) ?? Task.CompletedTask).Observe();
            (capture, held) = await new DatabaseExport(engine, options, database).CaptureAsync(
                () => CaptureAsync(options, deployment, version, AtomicFile.PartialPath(anchor), log, ct), AtomicFile.PartialPath(anchor), log, ct, CheckTree, beforePause: prefetching).ConfigureAwait(false);
            treeChecked = true;
        }
        try
        {
            if (!treeChecked) await CheckTree(capture, ct).ConfigureAwait(false);
            var manifest = capture.Manifest;
            var files = manifest.Entries.Count(e => e.Type == EntryKind.File);
            var bytes = capture.Live.Where(e => e.Kind == EntryKind.File).Sum(e => e.Size);
            var counts = ConfigCounts.Of(capture.Live);
            var secrets = manifest.Secrets.Count + (manifest.Database?.Secrets.Count ?? 0);

            var existing = await ReadExistingAsync(location, ct).ConfigureAwait(false);
            if (existing is not null)
            {
                var existingSecrets = File.Exists(location.SecretsFile) ? SecretVault.ReadFile(location.SecretsFile) : new Dictionary<string, SecretFileValues>();
                if (existing.SameContentAs(manifest) && SecretVault.SameValues(existingSecrets, capture.SecretValues))
                {
                    if (location.Archive is not null && !File.Exists(location.Archive))
                        await PublishArchiveAsync(capture, location.Archive, log, ct).ConfigureAwait(false);
                    log($"Setup '{location.Name}' is already up to date ({files} files, {ConfigCounts.Format(counts)}); nothing changed.");
                    await VerifyWrittenAsync(location, options, existing, log, ct).ConfigureAwait(false);
                    return new ExportResult(location, true, files, bytes, secrets, manifest.Source.Name, counts, existing) { WritersHeld = held };
                }
                if (!options.Overwrite)
                {
                    var diff = TreeDiff.Compare(existing.TreeEntries(), manifest.TreeEntries());
                    var what = diff.IsEmpty ? "different secret values or secrets mode" : diff.Summary();
                    throw new SetupException($"Setup '{location.Name}' already exists at {location.Folder ?? location.Archive} with different content ({what}); pass --overwrite to replace it, or choose another --setup name.");
                }
                log($"Replacing setup '{location.Name}' (--overwrite).");
            }

            // Order: secrets, archive, folder. The folder is what marks a setup complete, so it is renamed in last;
            // a crash before that leaves at most a fresh secrets file or archive next to the old setup.
            await capture.PublishSecretsAsync(location.SecretsFile).ConfigureAwait(false); // inline mode removes a stale one
            if (location.Archive is not null) await PublishArchiveAsync(capture, location.Archive, log, ct).ConfigureAwait(false);
            if (location.Folder is not null) capture.PublishFolder(location.Folder);

            if (manifest.IsDatabaseEra)
                log($"Exported database '{manifest.Source.ConfigRoot}' of container '{manifest.Source.Name}' (Airbyte {manifest.AirbyteVersion ?? "unknown"}, Flyway configs {manifest.Database?.ConfigsMigration ?? "none"}, jobs {manifest.Database?.JobsMigration ?? "none"}) to {location.Folder ?? location.Archive}" +
                    (location.Folder is not null && location.Archive is not null ? $" and {location.Archive}" : "") + $"; the writers were paused {held.TotalSeconds:0.###} s.");
            else
            {
                log($"Exported {files} files ({bytes / 1024.0:0.#} KiB) from {manifest.Source.Kind} '{manifest.Source.Name}' to {location.Folder ?? location.Archive}" +
                    (location.Folder is not null && location.Archive is not null ? $" and {location.Archive}" : "") + ".");
                log($"Configs: {ConfigCounts.Format(counts)}. Airbyte version: {version ?? "unknown"}.");
            }
            log(manifest.Database is { } db
                ? $"Database: '{db.Name}' from container '{db.Container}' (Postgres {db.PostgresVersion}): {db.Summary()}, {db.Size / 1024.0:0.#} KiB dump; sync state and job history are in the setup."
                : "No database in this setup: it holds the configuration only (no sync state, no job history).");
            if (manifest.Logs is null && database is not null)
                log("No job logs in this setup (add --include logs to carry them): after a wipe and restore, Logs lists no attempt until the next sync.");
            if (secrets > 0)
                log($"{secrets} secret value(s) moved to {location.SecretsFile} (mode 0600, git-ignored); the setup itself holds placeholders only.");
            else if (options.SecretsMode == SecretsMode.Sidecar)
                log("No secret values found in the connection configurations.");
            await VerifyWrittenAsync(location, options, manifest, log, ct, prehashed).ConfigureAwait(false);
            return new ExportResult(location, false, files, bytes, secrets, manifest.Source.Name, counts, manifest) { WritersHeld = held };
        }
        finally
        {
            capture.Discard();
        }
    }

    private async Task<SetupCapture> CaptureAsync(ExportOptions options, Deployment deployment, string? version, string partial, Action<string> log, CancellationToken ct)
    {
        var machine = Environment.MachineName;
        var extraKeys = new HashSet<string>(options.ExtraSecretKeys, StringComparer.Ordinal);
        try
        {
            if (deployment.ServerRunning || deployment.Volume is null)
            {
                var server = deployment.Server!;
                var source = new SetupSource("container", server.Name, options.ConfigRoot, engine.Endpoint.ToString(), machine);
                // The server mounts the data volume at CONFIG_ROOT: the volume's root is the tree, so it can be read where it lives.
                var mountsRoot = deployment.Volume is not null && server.Mounts.Any(m => m.Type == "volume" && m.Name == deployment.Volume && m.Destination.TrimEnd('/') == options.ConfigRoot.TrimEnd('/'));
                var (host, why) = mountsRoot
                    ? await HostVolume.LocateAsync(engine, deployment.Volume!, options.VolumeAccess, c => engine.Containers.StatAsync(server.Name, options.ConfigRoot, c), ct).ConfigureAwait(false)
                    : (null, $"container '{server.Name}' keeps {options.ConfigRoot} in no named volume of its own");
                if (host is not null)
                {
                    log($"Reading {options.ConfigRoot} of container '{server.Name}' ({server.State}) directly from volume '{host.Volume}' on this host ({why})...");
                    using var direct = ProgressReporter.ForConsole($"Reading volume '{host.Volume}' on this host", null, null, log);
                    return Restorable(await SetupCapture.CaptureHostAsync(host, $"container '{server.Name}' {options.ConfigRoot}", partial, source, version, options.SecretsMode, extraKeys, ct, options.ConnectorSpecs, direct, Walked(options)).ConfigureAwait(false), options.ConfigRoot);
                }
                log($"Reading {options.ConfigRoot} from container '{server.Name}' ({server.State}) through the engine ({why})...");
                await using var tar = await engine.Containers.CopyOutAsync(server.Name, options.ConfigRoot, ct).ConfigureAwait(false);
                using var progress = ProgressReporter.ForConsole($"Reading {options.ConfigRoot} from container '{server.Name}'", null, null, log);
                return Restorable(await SetupCapture.CaptureAsync(tar, $"container '{server.Name}' {options.ConfigRoot}", partial, source, version, options.SecretsMode, extraKeys, ct, options.ConnectorSpecs, progress).ConfigureAwait(false), options.ConfigRoot);
            }
            await using var volume = await engine.Volumes.OpenAsync(deployment.Volume, options.HelperImage, readOnly: true, ct).ConfigureAwait(false);
            var volumeSource = new SetupSource("volume", deployment.Volume, options.ConfigRoot, engine.Endpoint.ToString(), machine);
            var (volumeHost, volumeWhy) = await HostVolume.LocateAsync(engine, deployment.Volume, options.VolumeAccess, c => volume.StatAsync("", c), ct).ConfigureAwait(false);
            log((deployment.Server is null
                ? $"No container '{options.ServerContainer}'; reading volume '{deployment.Volume}' directly"
                : $"Container '{deployment.Server.Name}' is not running; reading volume '{deployment.Volume}' directly") +
                (volumeHost is not null ? $" on this host ({volumeWhy})..." : $" through the engine ({volumeWhy})..."));
            using var volumeProgress = ProgressReporter.ForConsole($"Reading volume '{deployment.Volume}'", null, null, log);
            if (volumeHost is not null)
                return Restorable(await SetupCapture.CaptureHostAsync(volumeHost, $"volume '{deployment.Volume}'", partial, volumeSource, version, options.SecretsMode, extraKeys, ct, options.ConnectorSpecs, volumeProgress, Walked(options)).ConfigureAwait(false), options.ConfigRoot);
            await using var volumeTar = await volume.CopyOutAsync("", ct).ConfigureAwait(false);
            return Restorable(await SetupCapture.CaptureAsync(volumeTar, $"volume '{deployment.Volume}'", partial, volumeSource, version, options.SecretsMode, extraKeys, ct, options.ConnectorSpecs, volumeProgress).ConfigureAwait(false), options.ConfigRoot);
        }
        catch (TreeException refused) when (refused.Entry is not null)
        {
            if (Directory.Exists(partial)) Directory.Delete(partial, recursive: true);
            throw Unrestorable(refused, options.ConfigRoot);
        }
        catch
        {
            if (Directory.Exists(partial)) Directory.Delete(partial, recursive: true);
            throw;
        }
    }

    /// <summary>
    /// The captured tree judged as RestoreSetup will judge it (SafeTree: links resolved inside the tree, hard links,
    /// entries under links), before anything is published: a setup the restore would refuse is never written.
    /// </summary>
    private static SetupCapture Restorable(SetupCapture capture, string configRoot)
    {
        if (capture.Live.Count == 0)
            throw new SetupException($"{capture.Manifest.Source.Kind} '{capture.Manifest.Source.Name}' holds nothing under {configRoot}; there is no configuration to export (is --config-root right?).");
        SafeTree.Validate(capture.Live.Select(e => e.Node), $"{capture.Manifest.Source.Kind} '{capture.Manifest.Source.Name}' {configRoot}");
        return capture;
    }

    /// <summary>
    /// The captured tree judged as the deployment's Airbyte version reads it, with RestoreSetup's check (every config file
    /// valid under that version's schemas, nothing stray in config/&lt;TYPE&gt;/), before anything is published: a setup the
    /// restore would refuse is not saved unless --skip-config-check says so.
    /// </summary>
    private static Task ReadableAsync(SetupCapture capture, string? version, ExportOptions options, Action<string> log, CancellationToken ct)
    {
        var where = $"{capture.Manifest.Source.Kind} '{capture.Manifest.Source.Name}' {options.ConfigRoot}";
        var root = options.ConfigRoot.TrimEnd('/');
        return ConfigTreeValidator.ValidateAsync(capture.Live, version, options.SkipConfigCheck, capture.ReadOriginalsAsync,
            (path, why) => new SetupException($"Refusing to export {where}: {path} {why}; RestoreSetup would refuse a setup holding it, so nothing was saved. " +
                $"Fix or remove {root}/{path} (the server cannot read it either), or pass --skip-config-check to save it as it is."),
            "", log, ct);
    }

    /// <summary>SafeTree's refusal of one live entry, told as an export refusal with what to do about it.</summary>
    private static TreeException Unrestorable(TreeException refused, string configRoot)
    {
        var entry = SafeTree.Printable(refused.Entry!);
        return new TreeException(
            $"Refusing to export {refused.Where}: entry '{entry}' {refused.Reason}; RestoreSetup would refuse a setup holding it, so nothing was saved. " +
            $"Remove {configRoot.TrimEnd('/')}/{entry} or replace it with a relative link that stays inside {configRoot}, then export again.", refused)
        { Where = refused.Where, Entry = refused.Entry, Reason = refused.Reason };
    }

    /// <summary>
    /// Whether this export will publish its captured folder as the setup folder (not when an existing setup is found: it is
    /// then either up to date, and the existing folder is what is verified, or refused without --overwrite).
    /// </summary>
    private static bool WillPublishFolder(SetupLocation location, ExportOptions options) =>
        location.Folder is not null && (options.Overwrite || !Directory.Exists(location.Folder));

    /// <summary>
    /// VerifySetup's checksum pass over the captured folder's tree files, each read back from the disk (it was closed when the
    /// capture ended): the same files and checksums the verify computes itself, done beside the dump and the config check
    /// instead of after publishing (publishing renames the folder; the files are the same).
    /// </summary>
    private static Task<Dictionary<string, FileHash>> ReadBackAsync(SetupCapture captured, Action<string> log, CancellationToken ct)
    {
        var files = captured.Manifest.Entries.Where(e => e.Type == EntryKind.File).ToList();
        return Task.Run(async () =>
        {
            using var progress = ProgressReporter.ForConsole("Reading back the written files", files.Count, files.Sum(e => e.Size ?? 0), log);
            return await SetupContent.HashFolderAsync(new FolderTreeReader(captured.Folder), ct, progress).ConfigureAwait(false);
        }, ct);
    }

    /// <summary>
    /// The last word of an export: VerifySetup on what was written (the folder, and the archive too), from the disk, with
    /// the secrets file beside it, exactly as RestoreSetup will read it.
    /// </summary>
    /// <param name="prehashed">The folder's checksum pass, done on the files before the folder was renamed into place (<see cref="ReadBackAsync"/>).</param>
    private static async Task VerifyWrittenAsync(SetupLocation location, ExportOptions options, SetupManifest manifest, Action<string> log, CancellationToken ct,
        Dictionary<string, FileHash>? prehashed = null)
    {
        // The progress line's totals from the manifest in memory: the one on disk is parsed once, by the verify itself.
        var tree = manifest.TreeEntries().Where(e => e.Kind == EntryKind.File).ToList();
        (long, long) totals = (tree.Count, tree.Sum(e => e.Size));
        foreach (var written in new[] { location.Folder, location.Archive }.OfType<string>())
        {
            try
            {
                var lines = new List<string>();
                await new VerifySetupOperation().RunAsync(new VerifyOptions { Setup = written, ArtifactsDirectory = options.ArtifactsDirectory, SecretsFile = location.SecretsFile, SkipConfigCheck = options.SkipConfigCheck, ProgressTotals = totals, Prehashed = written == location.Folder ? prehashed : null }, lines.Add, ct, log).ConfigureAwait(false);
                log($"Verified {written}: {lines[^1]}");
            }
            catch (AirbyteOpsException ex)
            {
                throw new SetupException($"ExportSetup wrote {written}, but it does not verify ({ex.Message.TrimEnd('.')}); do not rely on it: this is a bug, please report it.", ex);
            }
        }
    }

    private static async Task PublishArchiveAsync(SetupCapture capture, string archive, Action<string> log, CancellationToken ct)
    {
        log($"Writing archive {archive}...");
        await AtomicFile.WriteAsync(archive, partial => SetupArchiveWriter.WriteAsync(partial, capture.Folder, capture.Manifest, ct)).ConfigureAwait(false);
    }

    /// <summary>The manifest already saved under this setup's folder or archive, or null.</summary>
    private static async Task<SetupManifest?> ReadExistingAsync(SetupLocation location, CancellationToken ct)
    {
        if (location.Folder is not null)
        {
            var path = Path.Combine(location.Folder, SetupManifest.FileName);
            if (File.Exists(path)) return SetupManifest.Parse(await File.ReadAllBytesAsync(path, ct).ConfigureAwait(false), $"setup folder '{location.Folder}'");
            if (Directory.Exists(location.Folder))
                throw new SetupException($"'{location.Folder}' exists but is not a setup (no {SetupManifest.FileName}); move it away or choose another --setup.");
            return null;
        }
        if (!File.Exists(location.Archive)) return null;
        byte[]? manifest = null;
        await new ArchiveTreeReader(location.Archive!).ReadAsync(async (raw, content) =>
        {
            if (raw.Name == SetupManifest.FileName && content is not null)
            {
                using var memory = new MemoryStream();
                await content.CopyToAsync(memory, ct).ConfigureAwait(false);
                manifest = memory.ToArray();
            }
        }, ct).ConfigureAwait(false);
        return manifest is null
            ? throw new SetupException($"'{location.Archive}' exists but is not a setup archive (no {SetupManifest.FileName}); move it away or choose another --setup.")
            : SetupManifest.Parse(manifest, $"archive '{location.Archive}'");
    }
}
