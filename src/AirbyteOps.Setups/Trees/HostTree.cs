using AirbyteOps.Docker.Host;

namespace AirbyteOps.Setups.Trees;

/// <summary>
/// Reads a volume's tree on this host's filesystem (the direct path, <see cref="HostVolume"/>), reporting each entry as the
/// engine's archive endpoint would: kind, permission bits, owner, size, link target; a file reached again through another
/// hard link is a hard link to the first path seen; devices, fifos and sockets are refused as the tar reader refuses them.
/// Links are never followed. Ordinal name order, so two reads of the same tree see the same sequence.
/// </summary>
internal static class HostTree
{
    /// <summary>
    /// Every entry under the root as the engine's tar reports it, with its full path here, in walk order (a folder before
    /// its content). <paramref name="exclude"/>: a top-level name left out whole (the restore's work area), or null.
    /// </summary>
    public static List<(ArchiveEntry Raw, string Full, UnixStat Stat)> Describe(string root, string where, string? exclude, CancellationToken ct)
    {
        var seen = new Dictionary<(ulong Device, ulong Inode), string>();
        return Walk(root, where, "", exclude, ct).Select(w => (Describe(w.Relative, w.Full, w.Stat, seen, where), w.Full, w.Stat)).ToList();
    }

    /// <summary>
    /// A file the walk listed (<paramref name="walked"/>: its lstat then), opened for its read only if it is still that very
    /// file: a symbolic link put in its place is not followed, and anything else now at its path (another file renamed over
    /// it, a folder, a fifo) is not read. Either is refused as a tree that changed (<see cref="Changed"/>), as a removed
    /// file is: what is read is what was listed, never what a link or a swapped folder points at outside the volume.
    /// </summary>
    public static Stream OpenListed(string full, UnixStat walked, string where, string path)
    {
        HostFile file;
        try { file = HostFile.OpenReadNoFollow(full); }
        catch (Exception gone) when (gone is FileNotFoundException or DirectoryNotFoundException) { throw Changed(where, path, "was removed after it was listed"); }
        catch (IOException link) when (HostFile.IsLink(link)) { throw Changed(where, path, "was replaced by a symbolic link after it was listed"); }
        try
        {
            var now = file.Stat();
            if (now.Type != UnixStat.RegularFile || now.Device != walked.Device || now.Inode != walked.Inode)
                throw Changed(where, path, "was replaced after it was listed (another file or kind of entry is at its path now)");
            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>One entry as the engine's tar reports it; <paramref name="seen"/> remembers the first name of each multiply-linked file.</summary>
    private static ArchiveEntry Describe(string relative, string full, UnixStat stat, Dictionary<(ulong Device, ulong Inode), string> seen, string where)
    {
        switch (stat.Type)
        {
            case UnixStat.Directory:
                return new ArchiveEntry(relative, EntryKind.Directory, stat.Mode, stat.Uid, stat.Gid, 0, null);
            case UnixStat.SymbolicLink:
                return new ArchiveEntry(relative, EntryKind.SymbolicLink, stat.Mode, stat.Uid, stat.Gid, 0, new FileInfo(full).LinkTarget);
            case UnixStat.RegularFile when stat.Links > 1 && seen.TryGetValue((stat.Device, stat.Inode), out var first):
                return new ArchiveEntry(relative, EntryKind.HardLink, stat.Mode, stat.Uid, stat.Gid, 0, first);
            case UnixStat.RegularFile:
                if (stat.Links > 1) seen[(stat.Device, stat.Inode)] = relative;
                return new ArchiveEntry(relative, EntryKind.File, stat.Mode, stat.Uid, stat.Gid, stat.Size, null);
            default:
                throw SafeTree.Refuse(where, relative, stat.Type is 0x2000 or 0x6000 ? "is a device" : stat.Type == 0x1000 ? "is a fifo" : "is a socket");
        }
    }

    /// <summary>Every entry under the root with its lstat, depth first, a folder before its content, names in ordinal order.</summary>
    public static IEnumerable<(string Relative, string Full, UnixStat Stat)> Walk(string root, string where, string relative, string? exclude, CancellationToken ct)
    {
        var folder = relative.Length == 0 ? root : Path.Combine(root, relative);
        List<string> names;
        try { names = Directory.EnumerateFileSystemEntries(folder).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList(); }
        catch (DirectoryNotFoundException) when (relative.Length > 0) { throw Changed(where, relative, "was removed while the tree was listed"); }
        foreach (var name in names)
        {
            ct.ThrowIfCancellationRequested();
            if (relative.Length == 0 && name == exclude) continue;
            var path = relative.Length == 0 ? name : $"{relative}/{name}";
            var full = Path.Combine(folder, name);
            UnixStat stat;
            try { stat = UnixFiles.LStat(full); }
            catch (IOException) when (!UnixFiles.Exists(full)) { throw Changed(where, path, "was removed while the tree was listed"); }
            yield return (path, full, stat);
            if (stat.Type == UnixStat.Directory)
                foreach (var child in Walk(root, where, path, exclude, ct)) yield return child;
        }
    }

    /// <summary>
    /// The tree with every file's SHA-256, files hashed several at a time (<see cref="Hashing.FilesInFlight"/>) (the read-back of what is on the volume).
    /// Hard links are reported as the engine reports them (the first path a file, the others links to it).
    /// <paramref name="remember"/>: each file read whose bytes stay known while its stamp stays the same is put there (its path
    /// under this root). <paramref name="known"/>: what an earlier read remembered of these paths; a file whose stamp is still
    /// the one remembered keeps that checksum without being read again (a rename of a folder above it changes none of its
    /// stamp); any other is read. How many were read is <see cref="KnownFiles.ReadLast"/> of whichever is given.
    /// </summary>
    public static async Task<IReadOnlyList<TreeEntry>> ReadHashedAsync(string root, string where, string? exclude, CancellationToken ct, Progress.ProgressReporter? progress = null,
        KnownFiles? remember = null, KnownFiles? known = null)
    {
        var entries = new List<TreeEntry>();
        var files = new List<(int Index, string Full, UnixStat Stat)>();
        var seen = new Dictionary<(ulong, ulong), string>();
        foreach (var (relative, full, stat) in Walk(root, where, "", exclude, ct))
        {
            var raw = Describe(relative, full, stat, seen, where);
            var entry = new TreeEntry(SafeTree.NormalizeName(relative, where), raw.Kind, raw.Mode, raw.Uid, raw.Gid, raw.Size, null, raw.LinkTarget);
            if (raw.Kind == EntryKind.File && known?.Lookup(entry.Path, stat) is { } same)
            {
                entry = entry with { Sha256 = same.Sha256, Size = same.Size };
                progress?.Add(1, same.Size);
            }
            else if (raw.Kind == EntryKind.File) files.Add((entries.Count, full, stat));
            entries.Add(entry);
        }
        var hashed = new (string Sha, long Size)[files.Count];
        await Hashing.ForEachFileAsync(Enumerable.Range(0, files.Count), (i, token) =>
        {
            var started = DateTime.UtcNow;
            var path = entries[files[i].Index].Path;
            using var content = OpenListed(files[i].Full, files[i].Stat, where, path);
            hashed[i] = Hashing.Copy(content, null, token, progress);
            if (remember is not null && content is HostFile read) remember.Add(path, files[i].Stat, read.Stat(), started, hashed[i].Sha, hashed[i].Size);
        }, ct).ConfigureAwait(false);
        for (var i = 0; i < files.Count; i++)
            entries[files[i].Index] = entries[files[i].Index] with { Sha256 = hashed[i].Sha, Size = hashed[i].Size };
        if (remember is not null) remember.ReadLast = files.Count;
        if (known is not null) known.ReadLast = files.Count;
        return entries;
    }

    /// <summary>
    /// The one-line refusal of a tree that changed while it was read on this host (an entry removed after it was listed, a
    /// file whose size changed during its read): nothing read from it is kept. The engine's tar fails on the same changes.
    /// </summary>
    public static SetupException Changed(string where, string path, string what) =>
        new($"{where} changed while it was being read: '{path}' {what}. Something wrote to it meanwhile, so the copy would not be one moment of it; nothing was saved. Run the target again (ExportSetup pauses the server and scheduler while it reads when the jobs database is part of the setup).");
}

/// <summary>
/// Files a read-back hashed, by path, with the stamp that vouches for their bytes (<see cref="FileStamp.SettledBefore"/>): the
/// same inode, size, modification and change times later means the same bytes. The restore's read-back of the staging area
/// remembers them; its check of the live tree after the swap (renames of the folders above them) reads only the files
/// whose stamp is not the one remembered.
/// </summary>
internal sealed class KnownFiles
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (FileStamp Stamp, string Sha256, long Size)> _files = new(StringComparer.Ordinal);

    /// <summary>How many files the last read given this record read (and hashed) from the disk.</summary>
    public int ReadLast { get; set; }

    /// <summary>Remembered when the file was the same before and after the read (<paramref name="listed"/>, <paramref name="after"/>) and settled when it began.</summary>
    public void Add(string path, UnixStat listed, UnixStat after, DateTime readStartedUtc, string sha256, long size)
    {
        if (!listed.ReportsStamp || !after.ReportsStamp) return;
        var stamp = FileStamp.Of(listed);
        if (stamp == FileStamp.Of(after) && stamp.SettledBefore(readStartedUtc)) _files[path] = (stamp, sha256, size);
    }

    /// <summary>The checksum remembered for the file at <paramref name="path"/> when <paramref name="now"/> is still its stamp; else null.</summary>
    public (string Sha256, long Size)? Lookup(string path, UnixStat now) =>
        now.ReportsStamp && _files.TryGetValue(path, out var known) && known.Stamp == FileStamp.Of(now) ? (known.Sha256, known.Size) : null;
}
