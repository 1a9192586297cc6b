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
        var secrets = LogSecrets.From(capture.SecretValues);
        log($"Copying the job logs of {wanted.Count} attempt(s) from workspace volume '{workspaceVolume}' ({secrets.Count} known secret value(s) replaced wherever a log quotes one)...");
        var files = new List<LogFile>();
        var references = new List<SecretReference>();
        var values = new Dictionary<string, SecretFileValues>(capture.SecretValues, StringComparer.Ordinal);
        await using (var volume = await engine.Volumes.OpenAsync(workspaceVolume, helperImage, readOnly: true, ct).ConfigureAwait(false))
        await using (var tar = await volume.CopyOutAsync("", ct).ConfigureAwait(false))
        {
            await TarTree.ReadAsync(tar, $"volume '{workspaceVolume}'", async (raw, content) =>
            {
                if (raw.Kind != EntryKind.File || content is null || TarTree.StripFirst(raw.Name) is not { } inside) return;
                var file = $"{LogsManifest.Folder}/{inside}";
                if (!wanted.Contains(file)) return;
                var full = Path.Combine(capture.Folder, file);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                await using var output = new FileStream(full, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
                var cutter = new LogSecrets.Cutter(file, output, secrets);
                await content.CopyToAsync(cutter, ct).ConfigureAwait(false);
                var (size, sha, used, fileValues) = cutter.Finish();
                files.Add(new LogFile(file, size, sha));
                references.AddRange(used);
                if (fileValues is not null) values[file] = fileValues;
            }, skipSpecial: true, ct).ConfigureAwait(false);
        }
        files.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        var logs = new LogsManifest { Volume = workspaceVolume, Files = files, Secrets = references };
        var manifest = capture.Manifest with
        {
            Contents = [.. capture.Manifest.Contents ?? [SetupManifest.ContentConfiguration], SetupManifest.ContentLogs],
            Logs = logs,
        };
        await File.WriteAllBytesAsync(Path.Combine(capture.Folder, SetupManifest.FileName), manifest.ToJson(), ct).ConfigureAwait(false);
        var bytes = files.Sum(f => f.Size);
        log($"Job logs: {files.Count} of {wanted.Count} attempt(s) have a log ({bytes / 1024.0:0.#} KiB)" +
            (references.Count > 0 ? $"; {references.Select(r => r.File).Distinct().Count()} of them quoted a secret, replaced by placeholders (values in the secrets file)." : "; none quotes a known secret."));
        return capture with { Manifest = manifest, SecretValues = values };
    }
}
