using System.Buffers;
using System.Formats.Tar;
using AirbyteOps.Progress;
using AirbyteOps.Docker.Host;

namespace AirbyteOps.Setups.Restore;

/// <summary>Where the restore writes a tree's entries: a tar streamed into the engine, or the volume's folder on this host.</summary>
internal interface ITreeSink
{
    /// <param name="content">A file's bytes (exactly its size), else null.</param>
    Task WriteAsync(TreeEntry entry, Stream? content, CancellationToken ct);
}

/// <summary>Entries as tar headers under a folder prefix, for the engine's archive endpoint (which extracts them with their modes and owners).</summary>
internal sealed class TarTreeSink(TarWriter writer, string prefix) : ITreeSink
{
    public async Task WriteAsync(TreeEntry entry, Stream? content, CancellationToken ct)
    {
        var tar = TreeEntryTar.Header(entry, prefix);
        if (entry.Kind == EntryKind.File) tar.DataStream = content is null or MemoryStream ? content : new KnownLengthStream(content, entry.Size);
        await writer.WriteEntryAsync(tar, ct).ConfigureAwait(false);
    }
}

/// <summary>
/// Entries written straight into a folder of the volume on this host (the direct path): what the engine's extraction does
/// with the same headers, done here: the owner given back (lchown, never following a link), then the permission bits set
/// exactly (chmod after chown, which clears set-id bits; the umask plays no part); hard links made with link(2);
/// missing parent folders created. Nothing is ever written over: an existing name is an error.
/// </summary>
internal sealed class HostTreeSink(string root) : ITreeSink
{
    public async Task WriteAsync(TreeEntry entry, Stream? content, CancellationToken ct)
    {
        var full = Path.Combine(root, entry.Path);
        var parent = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(parent)) Directory.CreateDirectory(parent);
        switch (entry.Kind)
        {
            case EntryKind.Directory:
                Directory.CreateDirectory(full);
                Own(full, entry);
                UnixModes.Set(full, entry.Mode);
                break;
            case EntryKind.SymbolicLink:
                File.CreateSymbolicLink(full, entry.LinkTarget!);
                Own(full, entry);
                break;
            case EntryKind.HardLink:
                UnixFiles.HardLink(Path.Combine(root, entry.LinkTarget!), full);
                break;
            default:
                long written;
                await using (var file = new FileStream(full, UnixModes.NewPrivateFile()))
                {
                    if (content is not null) await content.CopyToAsync(file, 1 << 16, ct).ConfigureAwait(false);
                    written = file.Length;
                }
                if (written != entry.Size)
                    throw new SetupException($"Setup file '{entry.Path}' gave {written} bytes while being written and its manifest says {entry.Size}; it changed since it was checked. Nothing live was touched.");
                Own(full, entry);
                UnixModes.Set(full, entry.Mode);
                break;
        }
    }

    /// <summary>
    /// The whole tree at once from a setup folder on this machine (<paramref name="source"/>: the folder that is the tree's
    /// root): folders and symbolic links first, in the tree's order, and any folder a file needs that the tree does not list;
    /// then the files several at a time (<see cref="Hashing.FilesInFlight"/>, one bounded buffer each), each exactly as
    /// <see cref="WriteAsync"/> writes it (on Linux: open, writes, then owner and mode on the descriptor, close:
    /// <see cref="HostFile"/>); hard links last (their target exists by then). <paramref name="replacements"/>: files whose
    /// bytes are given (secrets put back).
    /// </summary>
    public async Task WriteFromFolderAsync(IReadOnlyList<TreeEntry> tree, string source, IReadOnlyDictionary<string, byte[]> replacements, string where, ProgressReporter progress, CancellationToken ct)
    {
        foreach (var entry in tree.Where(e => e.Kind is EntryKind.Directory or EntryKind.SymbolicLink))
        {
            ct.ThrowIfCancellationRequested();
            await WriteAsync(entry, null, ct).ConfigureAwait(false);
        }
        var files = Hashing.FoldersInTurn(tree.Where(e => e.Kind == EntryKind.File), e => e.Path);
        // Each folder a file goes into, made here once (not checked per file in the parallel pass).
        foreach (var parent in files.Select(e => Path.GetDirectoryName(Path.Combine(root, e.Path))!).Distinct(StringComparer.Ordinal))
            if (!Directory.Exists(parent)) Directory.CreateDirectory(parent);
        await Hashing.ForEachFileAsync(files, (entry, token) =>
        {
            if (replacements.TryGetValue(entry.Path, out var bytes))
            {
                // The file with its secrets put back: its size is the restored bytes', not the setup's (placeholders).
                using var memory = new MemoryStream(bytes, writable: false);
                WriteFile(entry with { Size = bytes.LongLength }, memory, null, token);
                progress.Add(1, entry.Size);
                return;
            }
            Stream content;
            try { content = HostFile.OpenRead(Path.Combine(source, entry.Path), FileShare.Read); }
            catch (IOException ex)
            {
                throw new SetupException($"Setup file '{entry.Path}' of the {where} could not be read while being written ({ex.Message.TrimEnd('.')}); it changed since it was checked. Nothing live was touched.", ex);
            }
            using (content) WriteFile(entry, content, progress, token);
            progress.Add(1, 0);
        }, ct).ConfigureAwait(false);
        foreach (var link in tree.Where(e => e.Kind == EntryKind.HardLink))
        {
            ct.ThrowIfCancellationRequested();
            await WriteAsync(link, null, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One file written synchronously on the calling thread (its folder exists): created new (0600 from its first byte),
    /// filled, size checked, owner, then mode.
    /// </summary>
    private void WriteFile(TreeEntry entry, Stream content, ProgressReporter? progress, CancellationToken ct)
    {
        var full = Path.Combine(root, entry.Path);
        if (!HostFile.Supported)
        {
            WriteFileStream(entry, full, content, progress, ct);
            return;
        }
        using var file = HostFile.CreateNew(full);
        Fill(file, content, progress, ct);
        if (file.Transferred != entry.Size) throw SizeChanged(entry, file.Transferred);
        file.Finish(entry.Mode, entry.Uid ?? 0, entry.Gid ?? 0);
    }

    /// <summary><see cref="WriteFile"/> where <see cref="HostFile"/> is not supported: a FileStream, then owner and mode by path.</summary>
    private static void WriteFileStream(TreeEntry entry, string full, Stream content, ProgressReporter? progress, CancellationToken ct)
    {
        long written;
        using (var file = new FileStream(full, UnixModes.NewPrivateFile(asynchronous: false)))
        {
            Fill(file, content, progress, ct);
            written = file.Length;
        }
        if (written != entry.Size) throw SizeChanged(entry, written);
        Own(full, entry);
        UnixModes.Set(full, entry.Mode);
    }

    private static void Fill(Stream file, Stream content, ProgressReporter? progress, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBuffer);
        try
        {
            int read;
            while ((read = content.Read(buffer, 0, CopyBuffer)) > 0)
            {
                ct.ThrowIfCancellationRequested();
                file.Write(buffer, 0, read);
                progress?.Add(0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static SetupException SizeChanged(TreeEntry entry, long written) =>
        new($"Setup file '{entry.Path}' gave {written} bytes while being written and its manifest says {entry.Size}; it changed since it was checked. Nothing live was touched.");

    private const int CopyBuffer = 128 << 10;

    private static void Own(string full, TreeEntry entry) => UnixFiles.LChown(full, entry.Uid ?? 0, entry.Gid ?? 0);
}
