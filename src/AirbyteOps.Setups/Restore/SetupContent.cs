using AirbyteOps.Docker;
using AirbyteOps.Progress;

namespace AirbyteOps.Setups.Restore;

/// <summary>
/// A setup read and checked end to end before anything is written: every entry name and link validated, every checksum
/// compared with the manifest, secrets put back in memory and proved byte-identical. Holds only metadata and the small
/// connection files that carry secrets, so memory does not grow with the size of the tree.
/// </summary>
internal sealed class SetupContent
{
    private const long MaxSecretFileBytes = 16 << 20;

    private SetupContent(ITreeReader reader, string prefix, SetupManifest? manifest, IReadOnlyList<TreeEntry> stored,
        IReadOnlyList<TreeEntry> expected, IReadOnlyDictionary<string, byte[]> replacements, IReadOnlyList<SecretReference> missing)
    {
        Reader = reader;
        Prefix = prefix;
        Manifest = manifest;
        Stored = stored;
        Expected = expected;
        Replacements = replacements;
        MissingSecrets = missing;
    }

    public ITreeReader Reader { get; }
    /// <summary>Folder of the reader's names that is the tree root ("data" in a setup, "" for a tar of /data's contents).</summary>
    public string Prefix { get; }
    public SetupManifest? Manifest { get; }
    /// <summary>The tree as the setup holds it (placeholders included).</summary>
    public IReadOnlyList<TreeEntry> Stored { get; }
    /// <summary>The tree the live configuration will be once restored (secrets put back).</summary>
    public IReadOnlyList<TreeEntry> Expected { get; }
    /// <summary>Content for files whose bytes differ from the setup's (secrets put back).</summary>
    public IReadOnlyDictionary<string, byte[]> Replacements { get; }
    public IReadOnlyList<SecretReference> MissingSecrets { get; }
    /// <summary>The setup's database part, checked and with its secrets put back; null: a configuration-only setup.</summary>
    public DatabaseContent? Database { get; private init; }
    /// <summary>The setup's job logs (ExportSetup --include logs), checked; null: none.</summary>
    public Logs.LogsContent? Logs { get; private init; }

    /// <summary>The tree path of a reader name, or null when the name is not part of the tree (setup.json, the root).</summary>
    public string? TreePath(string rawName)
    {
        var name = SafeTree.NormalizeName(rawName, Reader.Description);
        return MapToTree(name, Prefix);
    }

    private static string? MapToTree(string name, string prefix)
    {
        if (prefix.Length == 0) return name.Length == 0 ? null : name;
        if (name == prefix || name.Length == 0) return null;
        return name.StartsWith(prefix + "/", StringComparison.Ordinal) ? name[(prefix.Length + 1)..] : null;
    }

    /// <summary>The reader of a located setup: its folder, else its archive.</summary>
    public static ITreeReader ReaderFor(SetupLocation location) =>
        location.Folder is not null ? new FolderTreeReader(location.Folder) : new ArchiveTreeReader(location.Archive!);

    /// <summary>
    /// A progress line for the checksum pass over the setup: files and bytes of the total when the setup folder's manifest
    /// tells them (read once more here; it is small), else files and bytes done.
    /// </summary>
    /// <param name="totals">Files and bytes when the caller knows them (the manifest it has in memory): the manifest is not read.</param>
    public static ProgressReporter ProgressFor(SetupLocation location, ITreeReader reader, Action<string> log, (long Files, long Bytes)? totals = null)
    {
        if (totals is { } known) return ChecksumProgress(reader, known.Files, known.Bytes, log);
        long? files = null, bytes = null;
        var manifestPath = location.Folder is null ? null : Path.Combine(location.Folder, SetupManifest.FileName);
        if (manifestPath is not null && File.Exists(manifestPath))
        {
            try
            {
                var manifest = SetupManifest.Parse(File.ReadAllBytes(manifestPath), reader.Description);
                var tree = manifest.TreeEntries().Where(e => e.Kind == EntryKind.File).ToList();
                files = tree.Count;
                bytes = tree.Sum(e => e.Size);
            }
            catch (SetupException)
            {
                // LoadAsync reports a broken manifest in its own words; the progress line just goes without totals.
            }
        }
        return ChecksumProgress(reader, files, bytes, log);
    }

    private static ProgressReporter ChecksumProgress(ITreeReader reader, long? files, long? bytes, Action<string> log) =>
        ProgressReporter.ForConsole($"Checking the checksums of {reader.Description}", files, bytes, log);

    /// <summary>
    /// The checksum pass of <see cref="LoadAsync"/> over a setup folder's tree files (several at a time), on its own: the
    /// same files, names and checksums <see cref="LoadAsync"/> computes when it is not given them.
    /// </summary>
    public static Task<Dictionary<string, FileHash>> HashFolderAsync(FolderTreeReader folder, CancellationToken ct, ProgressReporter? progress = null) =>
        folder.HashFilesAsync(name => Prehashed(SafeTree.NormalizeName(name, folder.Description)), ct, progress);

    /// <summary>A setup folder's entries hashed by the checksum pass (the rest are read in the walk, as from an archive).</summary>
    private static bool Prehashed(string name) => name != SetupManifest.FileName && !DatabaseContent.IsSideEntry(name) && !Setups.Logs.LogsContent.IsSideEntry(name) && !LooksLikeConnection(name);

    /// <param name="prehashed">
    /// The checksum pass's result (<see cref="HashFolderAsync"/>) already computed by the caller from these very files on the
    /// disk (ExportSetup: of the folder it wrote, beside the database's dump); null: computed here. A file the walk finds and
    /// it does not hold is hashed in the walk.
    /// </param>
    public static async Task<SetupContent> LoadAsync(ITreeReader reader, string? secretsPath, bool allowMissingSecrets, CancellationToken ct = default, ProgressReporter? progress = null,
        Dictionary<string, FileHash>? prehashed = null)
    {
        var where = reader.Description;
        var raws = new List<(ArchiveEntry Raw, string Name, string? Sha)>();
        var buffered = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        // database/ beside data/ is the setup's database part (when the manifest says so): kept aside, not tree entries.
        var side = new List<(ArchiveEntry Raw, string Name, string? Sha)>();
        var sideFiles = new Dictionary<string, DumpSecrets.Outcome>(StringComparer.Ordinal);
        // logs/ beside data/: the job logs (when the manifest says so), streamed once and checked like the dump.
        var logSide = new List<(ArchiveEntry Raw, string Name, string? Sha)>();
        var logFiles = new Dictionary<string, DumpSecrets.Outcome>(StringComparer.Ordinal);
        IReadOnlyDictionary<string, SecretFileValues>? sidecar = null;
        var sidecarRead = false;
        IReadOnlyDictionary<string, SecretFileValues>? Sidecar()
        {
            if (!sidecarRead) sidecar = secretsPath is not null && File.Exists(secretsPath) ? SecretVault.ReadFile(secretsPath) : null;
            sidecarRead = true;
            return sidecar;
        }
        byte[]? manifestBytes = null;
        // A setup folder's tree files are hashed first, several at a time (the side parts, the manifest and the connection
        // files kept for their secrets are read in the walk below, as from an archive). Both happen before anything is written.
        var folder = reader as FolderTreeReader;
        if (folder is null) prehashed = null;
        else prehashed ??= await HashFolderAsync(folder, ct, progress).ConfigureAwait(false);
        await reader.ReadAsync(async (raw, content) =>
        {
            var name = SafeTree.NormalizeName(raw.Name, where);
            if (name.Length == 0) return;
            if (name == SetupManifest.FileName && raw.Kind == EntryKind.File && content is not null)
            {
                using var memory = new MemoryStream();
                await content.CopyToAsync(memory, ct).ConfigureAwait(false);
                manifestBytes = memory.ToArray();
                return;
            }
            string? sha = null;
            var entry = raw with { Name = name };
            if (raw.Kind == EntryKind.HardLink)
            {
                // Checked here, not by NormalizeName: its message would name the link's target as if it were the entry.
                var linkTarget = raw.LinkTarget ?? "";
                if (linkTarget.StartsWith('/') || linkTarget.Split('/').Contains(".."))
                    throw SafeTree.Refuse(where, name, $"is a hard link out of the tree (to '{linkTarget}')");
                entry = entry with { LinkTarget = SafeTree.NormalizeName(linkTarget, where) };
            }
            if (DatabaseContent.IsSideEntry(name))
            {
                // Streamed once (hashed, secrets put back and proved), never held in memory.
                var scanned = content is null ? null : await DatabaseContent.ScanAsync(name, content, secretsPath, ct).ConfigureAwait(false);
                if (scanned is not null) sideFiles[name] = scanned;
                side.Add((entry with { Size = scanned?.StoredSize ?? 0 }, name, scanned?.StoredSha256));
                return;
            }
            if (Setups.Logs.LogsContent.IsSideEntry(name))
            {
                var scanned = content is null ? null : await Setups.Logs.LogsContent.ScanAsync(name, content, Sidecar(), ct).ConfigureAwait(false);
                if (scanned is not null) logFiles[name] = scanned;
                logSide.Add((entry with { Size = scanned?.StoredSize ?? 0 }, name, scanned?.StoredSha256));
                return;
            }
            // A checksum of the pass before the walk counts only for a file not changed since it was read (the same size, inode,
            // modification and change times); any other is hashed here.
            if (content is not null && prehashed is not null && raw.Kind == EntryKind.File && prehashed.TryGetValue(raw.Name, out var known) && known.Size == raw.Size
                && known.Stamp is { } stamp && stamp == FileStamp.Now(Path.Combine(folder!.Root, raw.Name)) && prehashed.Remove(raw.Name))
            {
                sha = known.Sha256;
                entry = entry with { Size = known.Size };
            }
            else if (content is not null)
            {
                // Connection files are small; keep them to put secrets back without a second read.
                var keep = LooksLikeConnection(name) && raw.Size <= MaxSecretFileBytes;
                using var memory = keep ? new MemoryStream() : null;
                var (hash, size) = await Hashing.CopyAsync(content, memory, ct, progress).ConfigureAwait(false);
                sha = hash;
                entry = entry with { Size = size };
                if (memory is not null) buffered[name] = memory.ToArray();
            }
            raws.Add((entry, name, sha));
        }, ct).ConfigureAwait(false);

        SetupManifest? manifest = manifestBytes is null ? null : SetupManifest.Parse(manifestBytes, where);
        DatabaseContent? database = null;
        if (manifest?.Database is { } databaseManifest)
            database = DatabaseContent.Load(databaseManifest, side.Select(s => s.Name), sideFiles, reader, secretsPath, allowMissingSecrets);
        else
            raws.AddRange(side); // no database part: such entries are judged as any other (outside data/ → refused)
        Logs.LogsContent? logs = null;
        if (manifest?.Logs is { } logsManifest)
            logs = Setups.Logs.LogsContent.Load(logsManifest, logSide.Select(s => s.Name), logFiles, reader, Sidecar(), secretsPath, allowMissingSecrets);
        else
            raws.AddRange(logSide);
        var prefix = manifest is not null ? SetupManifest.TreeFolder : DetectPrefix(raws.Select(r => r.Name).ToList());

        var stored = new List<TreeEntry>();
        var contentByPath = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (raw, name, sha) in raws)
        {
            var path = MapToTree(name, prefix);
            if (path is null)
            {
                if (name == prefix) continue;
                throw SafeTree.Refuse(where, name, $"is outside the setup's tree '{prefix}/'");
            }
            var target = raw.LinkTarget;
            if (raw.Kind == EntryKind.HardLink)
                target = MapToTree(target ?? "", prefix) ?? throw SafeTree.Refuse(where, name, $"is a hard link out of the tree (to '{raw.LinkTarget}')");
            stored.Add(new TreeEntry(path, raw.Kind, raw.Mode, raw.Uid, raw.Gid, raw.Size, sha, target));
            if (buffered.TryGetValue(name, out var bytes)) contentByPath[path] = bytes;
        }
        // A database-era setup (format 3) is its database only: no data/ tree.
        if (stored.Count == 0 && manifest?.IsDatabaseEra != true) throw new SetupException($"The {where} holds no configuration tree; nothing was written.");
        if (manifest?.IsDatabaseEra == true && (stored.Count > 0 || database is null))
            throw new SetupException($"The {where} is a database-era setup but holds {(database is null ? "no database" : "a configuration tree")}; the setup is damaged or was edited; nothing was written.");
        SafeTree.Validate(stored.Select(e => e.Node), where);

        if (manifest is not null)
        {
            var diff = TreeDiff.Compare(LiveTree.Canonical(manifest.TreeEntries()), LiveTree.Canonical(stored));
            if (!diff.IsEmpty)
                throw new SetupException($"The {where} does not match its manifest ({diff.Summary()}): checksum mismatch, the setup is damaged or was edited; nothing was written.");
            // The manifest knows what a folder cannot show: owners, and which files are hard links.
            stored = manifest.TreeEntries().ToList();
        }

        var replacements = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var missing = new List<SecretReference>();
        var expected = stored.ToList();
        var references = manifest?.Secrets ?? [];
        if (references.Count > 0)
        {
            var values = secretsPath is not null && File.Exists(secretsPath) ? SecretVault.ReadFile(secretsPath) : null;
            foreach (var group in references.GroupBy(r => r.File, StringComparer.Ordinal))
            {
                var file = group.Key;
                if (values is null || !values.TryGetValue(file, out var fileValues) || group.Any(r => !fileValues.Values.ContainsKey(r.Placeholder)))
                {
                    missing.AddRange(values is not null && values.TryGetValue(file, out var partial) ? group.Where(r => !partial.Values.ContainsKey(r.Placeholder)) : group);
                    continue;
                }
                if (!contentByPath.TryGetValue(file, out var storedBytes))
                    throw new SetupException($"The {where} lists secrets for '{file}', which is not a connection file of the tree; the setup is damaged.");
                var original = SecretVault.Reinsert(file, storedBytes, group.ToList(), fileValues);
                replacements[file] = original;
                var index = expected.FindIndex(e => e.Path == file);
                expected[index] = expected[index] with { Sha256 = fileValues.Sha256, Size = original.LongLength };
            }
            if (missing.Count > 0 && !allowMissingSecrets)
            {
                var names = string.Join(", ", missing.Take(3).Select(r => $"{r.Placeholder} ({r.File} {r.Pointer})"));
                var more = missing.Count > 3 ? $" and {missing.Count - 3} more" : "";
                var file = secretsPath ?? "the secrets file";
                throw new SetupException(
                    $"The {where} needs {missing.Count} secret value(s) that {file} does not have: {names}{more}; put the secrets file back, or pass --allow-missing-secrets to restore with the placeholders in place. Nothing was written.");
            }
        }
        return new SetupContent(reader, prefix, manifest, stored, expected, replacements, missing) { Database = database, Logs = logs };
    }

    /// <summary>
    /// Where the tree starts in an archive made by other tools: "tar -C /data ." has config/ at the top; "docker cp" and
    /// "tar -C / data" put everything under one folder (its name varies), which is then the root.
    /// </summary>
    internal static string DetectPrefix(IReadOnlyList<string> names)
    {
        var tops = names.Select(n => n.Split('/')[0]).Distinct(StringComparer.Ordinal).ToList();
        if (tops.Count == 1 && tops[0] != "config" && names.Any(n => n.Contains('/', StringComparison.Ordinal))) return tops[0];
        return "";
    }

    private static bool LooksLikeConnection(string name)
    {
        var parts = name.Split('/');
        return parts.Length >= 3 && SecretVault.MayHoldSecrets(string.Join('/', parts[^3..]));
    }
}
