using AirbyteOps.Docker.Host;
using AirbyteOps.Progress;

namespace AirbyteOps.Setups.Trees;

/// <summary>
/// Reads the tree the engine's archive endpoint sends for CONFIG_ROOT (or a volume's root): the first name component
/// is the copied folder itself ("data/", "volume/") and is dropped. Restore's work area is not part of the tree;
/// its markers are reported so a half-finished restore is never exported as if it were a configuration.
/// </summary>
internal static class LiveTree
{
    public const string WorkDirectory = ".airbyteops-restore";

    public sealed record Result(IReadOnlyList<TreeEntry> Entries, bool HasWorkArea, bool SwapBegun, bool Committed);

    /// <param name="openFile">Where a file's content goes (null: only hashed). Called before its checksum is known.</param>
    /// <param name="onEntry">Every entry, with its checksum for files, after its content was read.</param>
    /// <param name="progress">Counts the files and their bytes as they are read.</param>
    public static async Task<Result> ReadAsync(Stream tar, string where, Func<TreeEntry, Stream?>? openFile = null, Action<TreeEntry>? onEntry = null, CancellationToken ct = default,
        ProgressReporter? progress = null)
    {
        var entries = new List<TreeEntry>();
        bool workArea = false, swapBegun = false, committed = false;
        await TarTree.ReadAsync(tar, where, async (raw, content) =>
        {
            if (TarTree.StripFirst(raw.Name) is not { } inside) return; // the copied folder itself
            var path = SafeTree.NormalizeName(inside, where);
            if (path.Length == 0) return;
            if (path == WorkDirectory || path.StartsWith(WorkDirectory + "/", StringComparison.Ordinal))
            {
                workArea = true;
                swapBegun |= path == $"{WorkDirectory}/{VolumeWorkArea.SwapBegunMarker}";
                committed |= path == $"{WorkDirectory}/{VolumeWorkArea.CommittedMarker}";
                if (content is not null) await content.CopyToAsync(Stream.Null, ct).ConfigureAwait(false);
                return;
            }
            var target = raw.Kind == EntryKind.HardLink ? TarTree.StripFirst(raw.LinkTarget ?? "") ?? "" : raw.LinkTarget;
            entries.Add(await TakeAsync(raw with { Name = path, LinkTarget = target }, content, openFile, onEntry, progress, ct).ConfigureAwait(false));
        }, ct: ct).ConfigureAwait(false);
        return new Result(entries, workArea, swapBegun, committed);
    }

    /// <summary>
    /// The same read on this host's filesystem (the direct path): <paramref name="root"/> is the volume's root on this host.
    /// The work area is not walked; its markers are looked up by name. The walk (names and lstat) comes first and reports
    /// every folder and link in order; then the files' contents are read, hashed and handed to <paramref name="openFile"/>
    /// several at a time (<see cref="Hashing.FilesInFlight"/>, one bounded buffer each), the folders' files in turn
    /// (<see cref="Hashing.FoldersInTurn"/>). <paramref name="openFile"/> is called from several threads at once (it creates
    /// the files: one at a time, behind a lock, made the export's tree read 0.7 s longer at 10,000 files); every folder
    /// and link has been given to <paramref name="onEntry"/> before the first call. <paramref name="onEntry"/> is called one
    /// at a time (under a lock), never concurrently.
    /// </summary>
    /// <param name="afterWalk">Called once the walk is done, before any file is read (tests change the tree there).</param>
    /// <remarks>
    /// A file removed after the walk listed it, replaced (by a symbolic link, which is never followed, or by any other entry:
    /// the file opened must be the one listed, by device and inode), or whose size at the end of its read is not the size the
    /// walk saw, is refused as a tree that changed while it was read (<see cref="HostTree.Changed"/>): the engine's tar fails
    /// on the same changes.
    /// </remarks>
    public static async Task<Result> ReadHostAsync(string root, string where, Func<TreeEntry, Stream?>? openFile = null, Action<TreeEntry>? onEntry = null, CancellationToken ct = default,
        ProgressReporter? progress = null, Func<CancellationToken, Task>? afterWalk = null)
    {
        var walked = HostTree.Describe(root, where, WorkDirectory, ct);
        var entries = new TreeEntry[walked.Count];
        var files = new List<int>();
        for (var i = 0; i < walked.Count; i++)
        {
            var (raw, _, _) = walked[i];
            entries[i] = new TreeEntry(SafeTree.NormalizeName(raw.Name, where), raw.Kind, raw.Mode, raw.Uid, raw.Gid, raw.Size, null, raw.LinkTarget);
            if (raw.Kind == EntryKind.File) files.Add(i);
            else onEntry?.Invoke(entries[i]);
        }
        if (afterWalk is not null) await afterWalk(ct).ConfigureAwait(false);
        var gate = new object();
        await Hashing.ForEachFileAsync(Hashing.FoldersInTurn(files, i => entries[i].Path), (i, token) =>
        {
            var entry = entries[i];
            var destination = openFile?.Invoke(entry);
            try
            {
                var content = HostTree.OpenListed(walked[i].Full, walked[i].Stat, where, entry.Path);
                string sha;
                long size;
                using (content) (sha, size) = Hashing.Copy(content, destination, token, progress);
                if (size != walked[i].Raw.Size)
                    throw HostTree.Changed(where, entry.Path, $"was {walked[i].Raw.Size} bytes when listed and {size} bytes when read");
                entry = entry with { Sha256 = sha, Size = size };
            }
            finally
            {
                destination?.Dispose();
            }
            lock (gate) onEntry?.Invoke(entry);
            entries[i] = entry;
        }, ct).ConfigureAwait(false);
        var work = Path.Combine(root, WorkDirectory);
        return new Result(entries, UnixFiles.Exists(work), UnixFiles.Exists(Path.Combine(work, VolumeWorkArea.SwapBegunMarker)), UnixFiles.Exists(Path.Combine(work, VolumeWorkArea.CommittedMarker)));
    }

    /// <summary>One entry of the tree: a file's content hashed on its way to <paramref name="openFile"/>'s stream.</summary>
    private static async Task<TreeEntry> TakeAsync(ArchiveEntry raw, Stream? content, Func<TreeEntry, Stream?>? openFile, Action<TreeEntry>? onEntry, ProgressReporter? progress, CancellationToken ct)
    {
        var entry = new TreeEntry(raw.Name, raw.Kind, raw.Mode, raw.Uid, raw.Gid, raw.Size, null, raw.LinkTarget);
        if (content is not null)
        {
            var destination = openFile?.Invoke(entry);
            try
            {
                var (sha, size) = await Hashing.CopyAsync(content, destination, ct, progress).ConfigureAwait(false);
                entry = entry with { Sha256 = sha, Size = size };
            }
            finally
            {
                if (destination is not null) await destination.DisposeAsync().ConfigureAwait(false);
            }
        }
        onEntry?.Invoke(entry);
        return entry;
    }

    /// <summary>
    /// Hard links compared by what they hold: the engine names the first path of a linked group as the file and the
    /// others as links, in its own walk order, so a faithful copy may swap which name is the "link".
    /// </summary>
    public static IReadOnlyList<TreeEntry> Canonical(IEnumerable<TreeEntry> entries)
    {
        var list = entries.ToList();
        var files = list.Where(e => e.Kind == EntryKind.File).ToDictionary(e => e.Path, StringComparer.Ordinal);
        return list.Select(e => e.Kind == EntryKind.HardLink && e.LinkTarget is { } t && files.TryGetValue(t, out var f)
            ? e with { Kind = EntryKind.File, Mode = f.Mode, Size = f.Size, Sha256 = f.Sha256, LinkTarget = null, Uid = f.Uid, Gid = f.Gid }
            : e).ToList();
    }
}
