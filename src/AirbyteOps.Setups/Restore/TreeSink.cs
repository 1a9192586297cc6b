using System.Formats.Tar;
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

    private static void Own(string full, TreeEntry entry) => UnixFiles.LChown(full, entry.Uid ?? 0, entry.Gid ?? 0);
}
