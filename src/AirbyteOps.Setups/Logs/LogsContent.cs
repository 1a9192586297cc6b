using System.Formats.Tar;

namespace AirbyteOps.Setups.Logs;

/// <summary>
/// A setup's job logs (logs/&lt;job&gt;/&lt;attempt&gt;/logs.log), checked before anything is written: every file the manifest
/// lists is there with its size and SHA-256, nothing else is under logs/, and each secret placeholder has its value and
/// putting them back gives the exported log exactly. Nothing is held in memory but these facts; the logs stream again,
/// secrets put back line by line, into the workspace volume's staging area (<see cref="WriteAsync"/>).
/// </summary>
internal sealed class LogsContent
{
    private readonly ITreeReader _reader;
    private readonly IReadOnlyDictionary<string, SecretFileValues> _values;
    private readonly IReadOnlyDictionary<string, long> _sizes;

    private LogsContent(LogsManifest manifest, ITreeReader reader, IReadOnlyDictionary<string, SecretFileValues> values, IReadOnlyDictionary<string, long> sizes,
        IReadOnlyList<SecretReference> missing)
    {
        Manifest = manifest;
        _reader = reader;
        _values = values;
        _sizes = sizes;
        MissingSecrets = missing;
    }

    public LogsManifest Manifest { get; }
    public IReadOnlyList<SecretReference> MissingSecrets { get; }

    /// <summary>The workspace's top-level folders the logs go into (the job numbers).</summary>
    public IReadOnlyList<string> JobFolders =>
        Manifest.Files.Select(f => f.Path).Concat(Manifest.FoldersAndLinks.Select(e => e.Path))
            .Select(p => LogsManifest.WorkspacePath(p).Split('/')[0]).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// The job logs part as a tree (paths in the workspace volume) judged by the same rules as a configuration tree
    /// (<see cref="SafeTree"/>): only files, folders and symbolic links, every path under logs/, no link that leads out of
    /// the workspace volume or anything written under a link, no mode that is not permission bits.
    /// </summary>
    public static void Validate(IEnumerable<LogFile> files, IEnumerable<ManifestEntry> entries, string where)
    {
        var nodes = new List<TreeNode>();
        foreach (var file in files)
        {
            if (file.Mode is not null && !TreeEntry.TryParseMode(file.Mode, out _))
                throw SafeTree.Refuse(where, file.Path, $"has the mode '{file.Mode}', which is not octal permission bits");
            nodes.Add(new TreeNode(WorkspaceName(file.Path, where), EntryKind.File, null));
        }
        foreach (var entry in entries)
        {
            if (entry.Type is not (EntryKind.Directory or EntryKind.SymbolicLink))
                throw SafeTree.Refuse(where, entry.Path, $"is listed among the job logs' folders and links as a {entry.Type}");
            if (!TreeEntry.TryParseMode(entry.Mode, out _))
                throw SafeTree.Refuse(where, entry.Path, $"has the mode '{entry.Mode}', which is not octal permission bits");
            nodes.Add(new TreeNode(WorkspaceName(entry.Path, where), entry.Type, entry.Type == EntryKind.SymbolicLink ? entry.Target ?? "" : null));
        }
        SafeTree.Validate(nodes, where);
    }

    private static string WorkspaceName(string path, string where)
    {
        if (!path.StartsWith(LogsManifest.Folder + "/", StringComparison.Ordinal))
            throw SafeTree.Refuse(where, path, "is listed among the job logs but is not under logs/");
        var name = SafeTree.NormalizeName(LogsManifest.WorkspacePath(path), where);
        return name.Length > 0 && name == LogsManifest.WorkspacePath(path) ? name : throw SafeTree.Refuse(where, path, "is not a plain path under logs/");
    }

    public long Bytes => _sizes.Values.Sum();

    /// <summary>The SHA-256 of a log as it goes back into the workspace (secrets put back), or as stored when it has none (or they are missing).</summary>
    public string OriginalSha(LogFile file) => _values.TryGetValue(file.Path, out var values) ? values.Sha256 : file.Sha256;

    public static bool IsSideEntry(string name) =>
        name == LogsManifest.Folder || name.StartsWith(LogsManifest.Folder + "/", StringComparison.Ordinal);

    /// <summary>One streaming pass over a file under logs/: its stored SHA-256 and size and, with the sidecar's values, what putting them back gives.</summary>
    public static async Task<DumpSecrets.Outcome> ScanAsync(string name, Stream content, IReadOnlyDictionary<string, SecretFileValues>? sidecar, CancellationToken ct)
    {
        var values = sidecar is not null && sidecar.TryGetValue(name, out var v) ? v : null;
        var reinserter = new DumpSecrets.Reinserter(name, Stream.Null, values, repeats: true);
        await content.CopyToAsync(reinserter, ct).ConfigureAwait(false);
        return reinserter.Finish();
    }

    public static LogsContent Load(LogsManifest manifest, IEnumerable<string> names, IReadOnlyDictionary<string, DumpSecrets.Outcome> files, ITreeReader reader,
        IReadOnlyDictionary<string, SecretFileValues>? sidecar, string? secretsPath, bool allowMissingSecrets)
    {
        var where = reader.Description;
        Validate(manifest.Files, manifest.FoldersAndLinks, where);
        var listed = manifest.Files.ToDictionary(f => f.Path, StringComparer.Ordinal);
        var folders = manifest.Files.SelectMany(f => Enumerable.Range(1, f.Path.Split('/').Length - 1).Select(d => string.Join('/', f.Path.Split('/')[..d])))
            .ToHashSet(StringComparer.Ordinal);
        // A kept folder may be on disk too (an empty one is not: it lives in the manifest only).
        folders.UnionWith(manifest.FoldersAndLinks.Where(e => e.Type == EntryKind.Directory).Select(e => e.Path));
        foreach (var name in names)
        {
            if (!listed.ContainsKey(name) && !folders.Contains(name))
                throw SafeTree.Refuse(where, name, "is not part of the setup (its manifest does not list it among the job logs)");
        }
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        var values = new Dictionary<string, SecretFileValues>(StringComparer.Ordinal);
        var missing = new List<SecretReference>();
        var references = manifest.Secrets.GroupBy(r => r.File, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        foreach (var file in manifest.Files)
        {
            if (!files.TryGetValue(file.Path, out var scanned))
                throw new SetupException($"The {where} lacks its job log '{file.Path}' (the manifest lists it); the setup is damaged; nothing was written.");
            if (scanned.StoredSize != file.Size || scanned.StoredSha256 != file.Sha256)
                throw new SetupException($"The {where} does not match its manifest (job log '{file.Path}': checksum mismatch), the setup is damaged or was edited; nothing was written.");
            sizes[file.Path] = file.Size;
            if (!references.TryGetValue(file.Path, out var wanted)) continue;
            var have = sidecar is not null && sidecar.TryGetValue(file.Path, out var v) ? v : null;
            var lacking = wanted.Where(r => have is null || !have.Values.ContainsKey(r.Placeholder)).ToList();
            if (lacking.Count > 0)
            {
                missing.AddRange(lacking);
                continue;
            }
            scanned.ThrowIfNotOriginal(file.Path, wanted, have!);
            values[file.Path] = have!;
            sizes[file.Path] = have!.Size;
        }
        if (missing.Count > 0 && !allowMissingSecrets)
        {
            var names3 = string.Join(", ", missing.Take(3).Select(r => $"{r.Placeholder} ({r.File})"));
            var more = missing.Count > 3 ? $" and {missing.Count - 3} more" : "";
            throw new SetupException(
                $"The {where} needs {missing.Count} secret value(s) of its job logs that {secretsPath ?? "the secrets file"} does not have: {names3}{more}; put the secrets file back, or pass --allow-missing-secrets to restore with the placeholders in place. Nothing was written.");
        }
        return new LogsContent(manifest, reader, values, sizes, missing);
    }

    /// <summary>
    /// Streams every log into <paramref name="writer"/> under <paramref name="prefix"/> (&lt;job&gt;/&lt;attempt&gt;/logs.log, their
    /// folders first), secrets put back; a log that streams other bytes than the check saw fails (the setup changed).
    /// </summary>
    public async Task WriteAsync(TarWriter writer, string prefix, CancellationToken ct)
    {
        var folders = new HashSet<string>(StringComparer.Ordinal);
        var kept = Manifest.FoldersAndLinks.ToDictionary(e => LogsManifest.WorkspacePath(e.Path), StringComparer.Ordinal);
        UnixFileMode FolderMode(string folder) => kept.TryGetValue(folder, out var e) && e.Type == EntryKind.Directory ? TreeEntry.ParseMode(e.Mode) : (UnixFileMode)0x1ED;
        var written = 0;
        await _reader.ReadAsync(async (raw, stream) =>
        {
            var name = SafeTree.NormalizeName(raw.Name, _reader.Description);
            if (stream is null || !_sizes.TryGetValue(name, out var size)) return;
            var path = LogsManifest.WorkspacePath(name);
            var parts = path.Split('/');
            for (var depth = 1; depth < parts.Length; depth++)
            {
                var folder = string.Join('/', parts[..depth]);
                if (folders.Add(folder))
                    await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, $"{prefix}/{folder}/") { Mode = FolderMode(folder) }, ct).ConfigureAwait(false);
            }
            var file = Manifest.Files.First(f => f.Path == name);
            var mode = file.Mode is { } text ? TreeEntry.ParseMode(text) : (UnixFileMode)0x1A4;
            DumpSecrets.Reinserter? reinserter = null;
            var values = _values.GetValueOrDefault(name);
            await using var transform = new LineTransformReadStream(stream, output => reinserter = new DumpSecrets.Reinserter(name, output, values, repeats: true));
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, $"{prefix}/{path}") { Mode = mode, DataStream = new KnownLengthStream(transform, size) }, ct).ConfigureAwait(false);
            var outcome = reinserter?.Finish();
            var expected = values?.Sha256 ?? file.Sha256;
            if (outcome is null || (values is null ? outcome.StoredSha256 : outcome.ResultSha256) != expected)
                throw new SetupException($"The {_reader.Description}'s job log '{name}' changed during the restore (checksum differs); nothing of it is kept.");
            written++;
        }, ct).ConfigureAwait(false);
        if (written != _sizes.Count)
            throw new SetupException($"The {_reader.Description} no longer holds all its job logs ({written} of {_sizes.Count}); it changed during the restore.");
        // The kept folders no file went into (empty ones), parents first, then the symbolic links (after every file: nothing is written through one).
        foreach (var (path, entry) in kept.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            if (entry.Type == EntryKind.Directory && folders.Add(path))
                await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, $"{prefix}/{path}/") { Mode = TreeEntry.ParseMode(entry.Mode) }, ct).ConfigureAwait(false);
        }
        foreach (var (path, entry) in kept.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            if (entry.Type == EntryKind.SymbolicLink)
                await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, $"{prefix}/{path}") { Mode = TreeEntry.ParseMode(entry.Mode), LinkName = entry.Target! }, ct).ConfigureAwait(false);
        }
    }
}
