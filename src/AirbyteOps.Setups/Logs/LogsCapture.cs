using AirbyteOps.Docker;

namespace AirbyteOps.Setups.Logs;

/// <summary>
/// ExportSetup <c>--include logs</c>: the <c>logs.log</c> of every attempt the captured database holds (its attempts table
/// names them: <c>&lt;job&gt;/&lt;attempt&gt;/logs.log</c> in the workspace volume), streamed out of the volume in one copy,
/// known secret values replaced line by line (<see cref="LogSecrets"/>), into <c>logs/</c> of the capture, with a size
/// and SHA-256 per file in the manifest. Taken after the writers run again: a log is only appended to, so what the
/// setup holds is at least what the database's attempts had written; attempts that started after the dump are not in
/// the database and so not taken (a restored deployment numbers its next job after the restored ones).
/// </summary>
internal static class LogsCapture
{
    public static async Task<SetupCapture> AddAsync(DockerEngine engine, SetupCapture capture, IReadOnlyList<(long Job, long Attempt)> attempts,
        string workspaceVolume, string helperImage, Action<string> log, CancellationToken ct)
    {
        if (await engine.Volumes.FindAsync(workspaceVolume, ct).ConfigureAwait(false) is null)
            throw new SetupException($"--include logs: workspace volume '{workspaceVolume}' does not exist; pass --workspace-volume with the right name, or export without --include logs. Nothing was saved.");
        var wanted = attempts.Select(a => LogsManifest.FileFor(a.Job, a.Attempt)).ToHashSet(StringComparer.Ordinal);
        log($"Copying the job logs of {wanted.Count} attempt(s) from workspace volume '{workspaceVolume}' ({LogSecrets.From(capture.SecretValues).Count} known secret value(s) replaced wherever a log quotes one)...");
        var (added, files, references) = await CopyAsync(engine, capture, wanted.Contains, workspaceVolume, helperImage, cutShort: false, ct).ConfigureAwait(false);
        var bytes = files.Sum(f => f.Size);
        log($"Job logs: {files.Count} of {wanted.Count} attempt(s) have a log ({bytes / 1024.0:0.#} KiB)" +
            (references.Count > 0 ? $"; {references.Select(r => r.File).Distinct().Count()} of them quoted a secret, replaced by placeholders (values in the secrets file)." : "; none quotes a known secret."));
        return added;
    }

    /// <summary>
    /// RestoreSetup's safety snapshot: every file of the live job folders a <c>--include logs</c> restore replaces (the
    /// setup's job folders that exist in the workspace volume), whole (logs, catalogs, normalize/ ...), into <c>logs/</c>
    /// of the snapshot with a checksum each and the known secrets cut as in an export, and their folders (empty ones
    /// included), symbolic links and every mode in the manifest (<see cref="LogsManifest.Entries"/>), as the
    /// configuration's capture keeps them. Restoring the snapshot swaps those folders back exactly.
    /// </summary>
    public static async Task<SetupCapture> AddReplacedFoldersAsync(DockerEngine engine, SetupCapture capture, IReadOnlyCollection<string> jobFolders,
        string workspaceVolume, string helperImage, Action<string> log, CancellationToken ct)
    {
        var folders = jobFolders.ToHashSet(StringComparer.Ordinal);
        // cutShort: a secret shorter than 4 characters in a folder the restore only sets aside must not block the restore.
        var (added, files, _) = await CopyAsync(engine, capture, file => folders.Contains(LogsManifest.WorkspacePath(file).Split('/')[0]), workspaceVolume, helperImage, cutShort: true, ct, whole: true).ConfigureAwait(false);
        var kept = added.Manifest.Logs!.FoldersAndLinks.ToList();
        if (files.Count == 0 && kept.Count == 0)
        {
            await File.WriteAllBytesAsync(Path.Combine(capture.Folder, SetupManifest.FileName), capture.Manifest.ToJson(), ct).ConfigureAwait(false);
            log($"The restore replaces no live job folder in workspace volume '{workspaceVolume}' (none of the setup's {folders.Count} exists there).");
            return capture;
        }
        var replaced = files.Select(f => f.Path).Concat(kept.Select(e => e.Path)).Select(p => LogsManifest.WorkspacePath(p).Split('/')[0]).Distinct(StringComparer.Ordinal).Count();
        var links = kept.Count(e => e.Type == EntryKind.SymbolicLink);
        log($"Safety snapshot of the job folders the restore replaces in workspace volume '{workspaceVolume}': {replaced} folder(s), {files.Count} file(s) ({files.Sum(f => f.Size) / 1024.0:0.#} KiB)" +
            (links > 0 ? $", {links} symbolic link(s)" : "") + ", modes kept.");
        return added;
    }

    /// <summary>One streamed copy of the workspace volume: the files <paramref name="take"/> wants (by their path under logs/) into the capture's logs/, secrets cut.</summary>
    private static async Task<(SetupCapture Capture, List<LogFile> Files, List<SecretReference> References)> CopyAsync(DockerEngine engine, SetupCapture capture,
        Func<string, bool> take, string workspaceVolume, string helperImage, bool cutShort, CancellationToken ct, bool whole = false)
    {
        var entries = new List<ManifestEntry>();
        var secrets = LogSecrets.From(capture.SecretValues);
        var files = new List<LogFile>();
        var references = new List<SecretReference>();
        var values = new Dictionary<string, SecretFileValues>(capture.SecretValues, StringComparer.Ordinal);
        await using (var volume = await engine.Volumes.OpenAsync(workspaceVolume, helperImage, readOnly: true, ct).ConfigureAwait(false))
        await using (var tar = await volume.CopyOutAsync("", ct).ConfigureAwait(false))
        {
            await TarTree.ReadAsync(tar, $"volume '{workspaceVolume}'", async (raw, content) =>
            {
                if (TarTree.StripFirst(raw.Name) is not { Length: > 0 } inside) return;
                var file = $"{LogsManifest.Folder}/{inside.TrimEnd('/')}";
                if (!take(file)) return;
                file = $"{LogsManifest.Folder}/{SafeTree.NormalizeName(inside, $"volume '{workspaceVolume}'")}";
                if (whole && raw.Kind is EntryKind.Directory or EntryKind.SymbolicLink)
                {
                    entries.Add(new ManifestEntry { Path = file, Type = raw.Kind, Mode = TreeEntry.FormatMode(raw.Mode), Target = raw.LinkTarget });
                    return;
                }
                if (raw.Kind == EntryKind.HardLink && whole)
                    throw new SetupException($"Live job folder entry '{inside}' in workspace volume '{workspaceVolume}' is a hard link, which the safety snapshot cannot keep; remove it (or the job folder) and run again. Nothing was written.");
                if (raw.Kind != EntryKind.File || content is null) return;
                var full = Path.Combine(capture.Folder, file);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                await using var output = new FileStream(full, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
                var cutter = new LogSecrets.Cutter(file, output, secrets, cutShort);
                await content.CopyToAsync(cutter, ct).ConfigureAwait(false);
                var (size, sha, used, fileValues) = cutter.Finish();
                files.Add(new LogFile(file, size, sha) { Mode = whole ? TreeEntry.FormatMode(raw.Mode) : null });
                references.AddRange(used);
                if (fileValues is not null) values[file] = fileValues;
            }, skipSpecial: true, ct).ConfigureAwait(false);
        }
        files.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        entries.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        if (whole)
        {
            // Judged now as the restore of this snapshot will judge it: a snapshot that could not be restored is never written.
            LogsContent.Validate(files, entries, $"the safety snapshot of workspace volume '{workspaceVolume}'");
        }
        var logs = new LogsManifest { Volume = workspaceVolume, Files = files, Secrets = references, Entries = whole ? entries : null };
        var manifest = capture.Manifest with
        {
            Contents = [.. capture.Manifest.Contents ?? [SetupManifest.ContentConfiguration], SetupManifest.ContentLogs],
            Logs = logs,
        };
        await File.WriteAllBytesAsync(Path.Combine(capture.Folder, SetupManifest.FileName), manifest.ToJson(), ct).ConfigureAwait(false);
        return (capture with { Manifest = manifest, SecretValues = values }, files, references);
    }
}
