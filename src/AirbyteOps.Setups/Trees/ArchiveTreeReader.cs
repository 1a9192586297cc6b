using System.IO.Compression;
using AirbyteOps.Docker;
using SharpCompress.Compressors.BZip2;
using SharpCompress.Compressors.Xz;

namespace AirbyteOps.Setups.Trees;

/// <summary>
/// Reads an archive file: tar, tar.gz, tar.bz2, tar.xz (tar parsed by TarTree's own header reader, which reports entry types,
/// modes, owners and links; bzip2 and xz decompressed by SharpCompress) or zip (System.IO.Compression, whose external attributes
/// carry Unix modes and link bits; SharpCompress's entries expose neither).
/// </summary>
internal sealed class ArchiveTreeReader : ITreeReader
{
    private readonly string _path;

    public ArchiveTreeReader(string path)
    {
        _path = path;
        Format = Detect(path);
    }

    public ArchiveFormat Format { get; }
    public string Description => $"archive '{_path}'";

    public static ArchiveFormat Detect(string path)
    {
        Span<byte> head = stackalloc byte[512];
        int read;
        using (var stream = File.OpenRead(path))
        {
            read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        head = head[..read];
        if (head.Length >= 2 && head[0] == 0x1f && head[1] == 0x8b) return ArchiveFormat.TarGzip;
        if (head.Length >= 3 && head[0] == (byte)'B' && head[1] == (byte)'Z' && head[2] == (byte)'h') return ArchiveFormat.TarBzip2;
        if (head.Length >= 6 && head[..6].SequenceEqual(new byte[] { 0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00 })) return ArchiveFormat.TarXz;
        if (head.Length >= 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && head[2] is 3 or 5) return ArchiveFormat.Zip;
        if (head.Length == 512 && head.Slice(257, 5).SequenceEqual("ustar"u8)) return ArchiveFormat.Tar;
        throw new SetupException($"'{path}' is not an archive this tool reads (tar, tar.gz, tar.bz2, tar.xz or zip), or it is empty or damaged.");
    }

    public async Task ReadAsync(Func<ArchiveEntry, Stream?, Task> onEntry, CancellationToken ct = default)
    {
        try
        {
            if (Format == ArchiveFormat.Zip)
            {
                await ReadZipAsync(onEntry, ct).ConfigureAwait(false);
                return;
            }
            await using var file = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            await using Stream tar = Format switch
            {
                ArchiveFormat.TarGzip => new GZipStream(file, CompressionMode.Decompress, leaveOpen: true),
                ArchiveFormat.TarBzip2 => BZip2Stream.Create(file, SharpCompress.Compressors.CompressionMode.Decompress, false, true, true),
                ArchiveFormat.TarXz => new XZStream(file),
                _ => file,
            };
            await TarTree.ReadAsync(tar, Description, onEntry, ct: ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsCorruption(ex))
        {
            throw new SetupException($"The {Description} is corrupt or truncated ({ex.Message.Split('\n')[0].TrimEnd('.')}); nothing was written.", ex);
        }
    }

    private async Task ReadZipAsync(Func<ArchiveEntry, Stream?, Task> onEntry, CancellationToken ct)
    {
        using var zip = ZipFile.OpenRead(_path);
        foreach (var entry in zip.Entries)
        {
            ct.ThrowIfCancellationRequested();
            // Upper 16 bits of the external attributes hold st_mode when the zip was made on Unix.
            var unix = (entry.ExternalAttributes >> 16) & 0xFFFF;
            var type = unix & 0xF000;
            var isDirectory = entry.FullName.EndsWith('/') || type == 0x4000;
            var permissions = (UnixFileMode)(unix & 0xFFF);
            switch (type)
            {
                case 0x2000 or 0x6000: throw SafeTree.Refuse(Description, entry.FullName, "is a device");
                case 0x1000: throw SafeTree.Refuse(Description, entry.FullName, "is a fifo");
                case 0xC000: throw SafeTree.Refuse(Description, entry.FullName, "is a socket");
            }
            if (type == 0xA000)
            {
                string target;
                await using (var content = entry.Open())
                using (var text = new StreamReader(content))
                {
                    target = await text.ReadToEndAsync(ct).ConfigureAwait(false);
                }
                await onEntry(new ArchiveEntry(entry.FullName, EntryKind.SymbolicLink, permissions == 0 ? (UnixFileMode)0x1FF : permissions, null, null, 0, target), null).ConfigureAwait(false);
                continue;
            }
            if (isDirectory)
            {
                await onEntry(new ArchiveEntry(entry.FullName, EntryKind.Directory, permissions == 0 ? (UnixFileMode)0x1ED : permissions, null, null, 0, null), null).ConfigureAwait(false);
                continue;
            }
            await using var data = entry.Open();
            await onEntry(new ArchiveEntry(entry.FullName, EntryKind.File, permissions == 0 ? (UnixFileMode)0x1A4 : permissions, null, null, entry.Length, null), data).ConfigureAwait(false);
        }
    }

    private static bool IsCorruption(Exception ex) =>
        ex is InvalidDataException or EndOfStreamException or FormatException ||
        (ex.GetType().Namespace ?? "").StartsWith("SharpCompress", StringComparison.Ordinal);
}
