using AirbyteOps.Docker;

namespace AirbyteOps.Setups.Logs;

/// <summary>
/// RestoreSetup's job logs part, both or neither with the configuration and the database. The logs are streamed into a
/// work area inside the workspace volume (<c>.airbyteops-restore/staging/&lt;job&gt;/...</c>, the same
/// <see cref="VolumeWorkArea"/> as the data volume's) and read back; after the configuration's swap has begun, job
/// folders of the same numbers in the live workspace move to old/ and the setup's move in (renames within the volume);
/// the area is committed right after the configuration's. The setup's job folders replace live ones of the same number
/// (they belong to the history being replaced); other live job folders stay.
/// A killed restore is finished by the next one (<see cref="RecoverAsync"/>), by what the data volume says: its work
/// area there and not committed → the logs are put back too; no work area there (it committed and was removed) or
/// committed → the logs' swap is kept.
/// </summary>
internal sealed class LogsRestore : IAsyncDisposable
{
    private readonly DockerEngine _engine;
    private readonly RestoreOptions _options;
    private readonly LogsContent? _content;
    private readonly MountedVolume _volume;
    private readonly VolumeWorkArea _work;
    private SwapPlan? _plan;
    private bool _staged;

    private LogsRestore(DockerEngine engine, RestoreOptions options, LogsContent? content, MountedVolume volume)
    {
        _engine = engine;
        _options = options;
        _content = content;
        _volume = volume;
        _work = new VolumeWorkArea(engine, volume, options.HelperImage, options.StepTimeout);
    }

    public string Volume => _volume.Volume;

    /// <summary>
    /// The logs part of a restore: null when the setup has no logs and there is nothing to recover (<paramref name="recover"/>:
    /// the data volume holds a work area, so an earlier restore may have left one in the workspace too).
    /// </summary>
    public static async Task<LogsRestore?> PrepareAsync(DockerEngine engine, RestoreOptions options, LogsContent? content, bool recover, string setup, Action<string> log, CancellationToken ct)
    {
        if (content is null && !recover) return null;
        if (await engine.Volumes.FindAsync(options.WorkspaceVolume, ct).ConfigureAwait(false) is null)
        {
            if (content is null) return null;
            throw new DockerOpsException($"Setup '{setup}' holds job logs, but there is no workspace volume '{options.WorkspaceVolume}'; start Airbyte (./build.sh ComposeUp) or pass --workspace-volume. Nothing was written.");
        }
        var volume = await engine.Volumes.OpenAsync(options.WorkspaceVolume, options.HelperImage, readOnly: false, ct).ConfigureAwait(false);
        if (content is not null)
            log($"Job logs: {content.Manifest.Files.Count} file(s) ({content.Bytes / 1024.0:0.#} KiB) match their checksums; they go into workspace volume '{options.WorkspaceVolume}'.");
        return new LogsRestore(engine, options, content, volume);
    }

    /// <summary>Finishes what a killed earlier restore left in the workspace volume; run before the data volume's own recovery.</summary>
    public async Task<string?> RecoverAsync(MountedVolume dataVolume, CancellationToken ct)
    {
        var area = VolumeWorkArea.Directory;
        if (await _volume.StatAsync(area, ct).ConfigureAwait(false) is null) return null;
        var swapBegun = await _volume.StatAsync($"{area}/{VolumeWorkArea.SwapBegunMarker}", ct).ConfigureAwait(false) is not null;
        var committed = await _volume.StatAsync($"{area}/{VolumeWorkArea.CommittedMarker}", ct).ConfigureAwait(false) is not null;
        if (swapBegun && !committed)
        {
            var dataArea = await dataVolume.StatAsync(area, ct).ConfigureAwait(false) is not null;
            var dataCommitted = dataArea && await dataVolume.StatAsync($"{area}/{VolumeWorkArea.CommittedMarker}", ct).ConfigureAwait(false) is not null;
            if (!dataArea || dataCommitted)
            {
                await _work.CommitAsync(ct).ConfigureAwait(false);
                return $"An earlier restore had committed its configuration and database; finished putting its job logs into workspace volume '{Volume}'.";
            }
        }
        var said = await _work.RecoverAsync(ct).ConfigureAwait(false);
        return said is null ? null : $"Workspace volume '{Volume}': {said.Replace("configuration", "job logs", StringComparison.Ordinal)}";
    }

    /// <summary>The logs into the staging area (one streamed copy), then read back against their checksums.</summary>
    public async Task StageAsync(string setup, Action<string> log, CancellationToken ct)
    {
        if (_content is null) return;
        log($"Writing {_content.Manifest.Files.Count} job log(s) into the staging area of workspace volume '{Volume}'...");
        _staged = true;
        await _work.WriteStagingAsync(writer => _content.WriteAsync(writer, VolumeWorkArea.Staging, ct), ct).ConfigureAwait(false);
        await VerifyStagingAsync(ct).ConfigureAwait(false);
        var live = await TopLevelAsync(ct).ConfigureAwait(false);
        var jobs = _content.JobFolders;
        _plan = new SwapPlan(setup, DateTimeOffset.UtcNow, jobs.Where(live.Contains).ToList(), jobs);
    }

    public async Task BeginSwapAsync(CancellationToken ct)
    {
        if (_plan is not null) await _work.BeginSwapAsync(_plan, ct).ConfigureAwait(false);
    }

    public async Task SwapAsync(Action<string> log, CancellationToken ct)
    {
        if (_plan is null) return;
        log($"Swapping the job logs in ({_plan.NewNames.Count} job folder(s); {_plan.OldNames.Count} live one(s) of the same number replaced)...");
        await _work.SwapAsync(_plan, ct).ConfigureAwait(false);
    }

    /// <summary>After the configuration committed: the replaced job folders are dropped (a failure here only leaves a work area the next RestoreSetup finishes).</summary>
    public async Task CommitAsync(Action<string> log, CancellationToken ct)
    {
        if (_plan is null) return;
        try
        {
            await _work.CommitAsync(ct).ConfigureAwait(false);
        }
        catch (AirbyteOpsException ex)
        {
            log($"The restore is complete, but removing the job logs' work area in workspace volume '{Volume}' failed ({ex.Message.TrimEnd('.')}); the next RestoreSetup removes it.");
        }
    }

    /// <summary>Any failure: renames undone if the swap began, the work area removed. Run before the configuration's rollback.</summary>
    public async Task RollbackAsync()
    {
        if (!_staged) return;
        if (_plan is not null && await _volume.StatAsync($"{VolumeWorkArea.Directory}/{VolumeWorkArea.SwapBegunMarker}", CancellationToken.None).ConfigureAwait(false) is not null)
            await _work.RollbackAsync(_plan, CancellationToken.None).ConfigureAwait(false);
        await _work.RemoveAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>
    /// Whether every job log of the setup is already in the workspace volume, byte for byte (by checksum), and, where the
    /// setup kept them (a safety snapshot), with the same modes, folders and links: when the configuration and the
    /// database are identical too, there is nothing to restore. True when the setup has no logs. One read per job folder
    /// (a stat and one archive of it), not two engine calls per log.
    /// </summary>
    public async Task<bool> LiveMatchesAsync(CancellationToken ct)
    {
        if (_content is null) return true;
        var kept = _content.Manifest.FoldersAndLinks.ToDictionary(e => LogsManifest.WorkspacePath(e.Path), StringComparer.Ordinal);
        foreach (var folder in _content.JobFolders)
        {
            if (await _volume.StatAsync(folder, ct).ConfigureAwait(false) is null) return false;
            var files = _content.Manifest.Files.Where(f => LogsManifest.WorkspacePath(f.Path).Split('/')[0] == folder)
                .ToDictionary(f => LogsManifest.WorkspacePath(f.Path), StringComparer.Ordinal);
            var others = kept.Where(k => k.Key.Split('/')[0] == folder).ToDictionary(k => k.Key, k => k.Value, StringComparer.Ordinal);
            var matched = 0;
            var mismatch = false;
            await using var tar = await _volume.CopyOutAsync(folder, ct).ConfigureAwait(false);
            // The archive names its entries after the folder ("12/0/logs.log"): the paths in the volume.
            await TarTree.ReadAsync(tar, $"volume '{Volume}'", async (raw, stream) =>
            {
                var path = raw.Name.TrimEnd('/');
                if (raw.Kind == EntryKind.File && stream is not null && files.TryGetValue(path, out var file))
                {
                    var (sha, _) = await Hashing.CopyAsync(stream, null, ct).ConfigureAwait(false);
                    if (sha == _content.OriginalSha(file) && (file.Mode is null || file.Mode == TreeEntry.FormatMode(raw.Mode))) matched++;
                    else mismatch = true;
                }
                else if (others.TryGetValue(path, out var entry))
                {
                    if (entry.Type == raw.Kind && (raw.Kind == EntryKind.Directory ? entry.Mode == TreeEntry.FormatMode(raw.Mode) : entry.Target == raw.LinkTarget)) matched++;
                    else mismatch = true;
                }
            }, skipSpecial: true, ct).ConfigureAwait(false);
            if (mismatch || matched != files.Count + others.Count) return false;
        }
        return true;
    }

    private async Task VerifyStagingAsync(CancellationToken ct)
    {
        var expected = _content!.Manifest.Files.ToDictionary(
            f => LogsManifest.WorkspacePath(f.Path),
            f => _content.OriginalSha(f), StringComparer.Ordinal);
        // Modes where the setup kept them (a safety snapshot), folders and links too: what goes live is exactly what was taken.
        var modes = _content.Manifest.Files.Where(f => f.Mode is not null).ToDictionary(f => LogsManifest.WorkspacePath(f.Path), f => f.Mode!, StringComparer.Ordinal);
        var kept = _content.Manifest.FoldersAndLinks.ToDictionary(e => LogsManifest.WorkspacePath(e.Path), StringComparer.Ordinal);
        var seen = 0;
        var keptSeen = 0;
        await using var tar = await _volume.CopyOutAsync(VolumeWorkArea.Staging, ct).ConfigureAwait(false);
        await TarTree.ReadAsync(tar, $"volume '{Volume}'", async (raw, stream) =>
        {
            if (TarTree.StripFirst(raw.Name) is not { Length: > 0 } inside) return;
            var path = inside.TrimEnd('/');
            if (raw.Kind is EntryKind.Directory or EntryKind.SymbolicLink)
            {
                if (!kept.TryGetValue(path, out var entry)) return;
                if (entry.Type != raw.Kind || (raw.Kind == EntryKind.Directory ? TreeEntry.FormatMode(raw.Mode) != entry.Mode : raw.LinkTarget != entry.Target))
                    throw new SetupException($"Reading back the job logs in the staging area of volume '{Volume}' does not match ({path}: {raw.Kind} {TreeEntry.FormatMode(raw.Mode)}).");
                keptSeen++;
                return;
            }
            if (raw.Kind != EntryKind.File || stream is null) return;
            var (sha, _) = await Hashing.CopyAsync(stream, null, ct).ConfigureAwait(false);
            if (!expected.TryGetValue(path, out var want) || want != sha || (modes.TryGetValue(path, out var mode) && mode != TreeEntry.FormatMode(raw.Mode)))
                throw new SetupException($"Reading back the job logs in the staging area of volume '{Volume}' does not match ({path}).");
            seen++;
        }, skipSpecial: true, ct).ConfigureAwait(false);
        if (seen != expected.Count || keptSeen != kept.Count)
            throw new SetupException($"Reading back the job logs in the staging area of volume '{Volume}' found {seen} of {expected.Count} file(s) and {keptSeen} of {kept.Count} folder(s) and link(s).");
    }

    /// <summary>The names at the workspace volume's root (job folders), by one helper container.</summary>
    private async Task<HashSet<string>> TopLevelAsync(CancellationToken ct)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var spec = new ContainerSpec($"airbyteops-restore-{Guid.NewGuid():N}"[..40], _options.HelperImage)
        {
            Command = ["ls", "-1", "-A", MountedVolume.MountPath],
            Mounts = [new VolumeMount(Volume, MountedVolume.MountPath, ReadOnly: true)],
            NetworkMode = "none",
            Labels = new Dictionary<string, string> { [Labels.Role] = "setup-restore" },
        };
        var exit = await _engine.RunAsync(spec, line => names.Add(line), _options.StepTimeout, ct).ConfigureAwait(false);
        if (exit != 0) throw new DockerOpsException($"Listing workspace volume '{Volume}' failed (exit {exit}).");
        return names;
    }

    public ValueTask DisposeAsync() => _volume.DisposeAsync();
}
