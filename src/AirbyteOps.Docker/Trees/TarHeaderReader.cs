using System.Buffers;
using System.Formats.Tar;
using System.Globalization;
using System.Text;

namespace AirbyteOps.Trees;

/// <summary>One entry's header after its PAX and GNU metadata were applied.</summary>
internal sealed record TarHeader(TarEntryType Type, string Name, UnixFileMode Mode, int Uid, int Gid, long Size, string LinkName, DateTimeOffset Modified);

/// <summary>
/// Reads tar headers itself: POSIX ustar (name with prefix), PAX extended ('x') and global ('g') headers, GNU long names
/// ('L', 'K'), base-256 numbers, v7. Why not System.Formats.Tar: its PAX parser splits records at the first newline,
/// while a PAX record is "&lt;length&gt; key=value\n" whose value may itself hold a newline. The engine's archive endpoint
/// (Go's archive/tar) names every path over 100 bytes or with non-ASCII bytes in such a record, so a file name holding a
/// newline made TarReader throw "The extended header contains invalid records". Here a record is cut by its length.
/// </summary>
internal sealed class TarHeaderReader(Stream stream)
{
    private readonly Stream _stream = stream;
    private const int Block = 512;
    /// <summary>A metadata entry (PAX records, a GNU long name) larger than this is not a tree's: refused, not buffered.</summary>
    private const int MaxMetadata = 1 << 20;

    private readonly byte[] _block = new byte[Block];
    private readonly Dictionary<string, string> _global = new(StringComparer.Ordinal);
    private long _unread;
    private int _padding;

    /// <summary>The content of the entry last returned by <see cref="NextAsync"/>: readable until the next call.</summary>
    public Stream Data { get; private set; } = Stream.Null;

    /// <summary>The next entry's header, or null at the end of the archive (two zero blocks, one, or the end of the stream).</summary>
    public async Task<TarHeader?> NextAsync(CancellationToken ct)
    {
        await SkipRestAsync(ct).ConfigureAwait(false);
        Dictionary<string, string>? pax = null;
        string? longName = null, longLink = null;
        while (true)
        {
            if (!await ReadBlockAsync(ct).ConfigureAwait(false) || _block.AsSpan().IndexOfAnyExcept((byte)0) < 0) return null;
            VerifyChecksum();
            var type = (TarEntryType)_block[156];
            var size = ReadNumber(124, 12, "size");
            if (size < 0) throw new InvalidDataException($"A tar header gives the negative size {size}.");
            switch (type)
            {
                case TarEntryType.ExtendedAttributes:
                    pax = ParsePax(await ReadMetadataAsync(size, ct).ConfigureAwait(false));
                    continue;
                case TarEntryType.GlobalExtendedAttributes:
                    foreach (var (key, value) in ParsePax(await ReadMetadataAsync(size, ct).ConfigureAwait(false)))
                        if (value.Length == 0) _global.Remove(key); else _global[key] = value;
                    continue;
                case TarEntryType.LongPath:
                    longName = CString(await ReadMetadataAsync(size, ct).ConfigureAwait(false));
                    continue;
                case TarEntryType.LongLink:
                    longLink = CString(await ReadMetadataAsync(size, ct).ConfigureAwait(false));
                    continue;
            }
            var header = Build(type, size, pax, longName, longLink);
            // Go's archive/tar, like POSIX, stores no content for links, devices, folders and fifos, whatever the size says.
            var content = type is TarEntryType.HardLink or TarEntryType.SymbolicLink or TarEntryType.CharacterDevice or TarEntryType.BlockDevice
                or TarEntryType.Directory or TarEntryType.Fifo ? 0 : header.Size;
            _unread = content;
            _padding = (int)((Block - content % Block) % Block);
            Data = new EntryContent(this, content);
            return header;
        }
    }

    private TarHeader Build(TarEntryType type, long size, Dictionary<string, string>? pax, string? longName, string? longLink)
    {
        string Attribute(string key) => pax?.GetValueOrDefault(key) ?? _global.GetValueOrDefault(key) ?? "";
        var ustar = _block.AsSpan(257, 6).SequenceEqual("ustar\0"u8);
        var name = CString(_block.AsSpan(0, 100));
        var prefix = ustar ? CString(_block.AsSpan(345, 155)) : "";
        if (prefix.Length > 0) name = $"{prefix}/{name}";
        name = Attribute("path") is { Length: > 0 } paxName ? paxName : longName ?? name;
        var link = Attribute("linkpath") is { Length: > 0 } paxLink ? paxLink : longLink ?? CString(_block.AsSpan(157, 100));
        if (Attribute("size") is { Length: > 0 } paxSize) size = ParseDecimal(paxSize, "size");
        var uid = Attribute("uid") is { Length: > 0 } paxUid ? ParseDecimal(paxUid, "uid") : ReadNumber(108, 8, "uid");
        var gid = Attribute("gid") is { Length: > 0 } paxGid ? ParseDecimal(paxGid, "gid") : ReadNumber(116, 8, "gid");
        var seconds = Attribute("mtime") is { Length: > 0 } paxTime
            ? (long)Math.Floor(decimal.Parse(paxTime, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture))
            : ReadNumber(136, 12, "mtime");
        if (pax?.Keys.FirstOrDefault(k => k.StartsWith("GNU.sparse.", StringComparison.Ordinal)) is { } sparse)
            throw new InvalidDataException($"The tar entry '{name}' is a GNU sparse file (PAX record '{sparse}'), which this tool does not read.");
        // A v7 archive marks a folder by the trailing slash of a regular-file entry.
        if (type == TarEntryType.V7RegularFile && name.EndsWith('/')) type = TarEntryType.Directory;
        return new TarHeader(type, name, (UnixFileMode)(ReadNumber(100, 8, "mode") & 0xFFF), checked((int)uid), checked((int)gid), size, link,
            DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(seconds, -62_135_596_800L, 253_402_300_799L)));
    }

    /// <summary>"&lt;length&gt; key=value\n" records, each cut by its length: a value may hold a newline or an '='.</summary>
    internal static Dictionary<string, string> ParsePax(byte[] data)
    {
        var records = new Dictionary<string, string>(StringComparer.Ordinal);
        var position = 0;
        while (position < data.Length && data[position] != 0)
        {
            var rest = data.AsSpan(position);
            var space = rest.IndexOf((byte)' ');
            if (space <= 0 || !int.TryParse(Encoding.ASCII.GetString(rest[..space]), NumberStyles.None, CultureInfo.InvariantCulture, out var length) ||
                length <= space + 1 || length > rest.Length || rest[length - 1] != (byte)'\n')
                throw new InvalidDataException($"A PAX extended header holds a malformed record at byte {position}.");
            var record = rest[(space + 1)..(length - 1)];
            var equals = record.IndexOf((byte)'=');
            if (equals <= 0) throw new InvalidDataException($"A PAX extended header holds a record without a key at byte {position}.");
            records[Encoding.UTF8.GetString(record[..equals])] = Encoding.UTF8.GetString(record[(equals + 1)..]);
            position += length;
        }
        return records;
    }

    private async Task<byte[]> ReadMetadataAsync(long size, CancellationToken ct)
    {
        if (size > MaxMetadata) throw new InvalidDataException($"A tar metadata entry of {size} bytes is larger than any file name or attribute list.");
        var data = new byte[size];
        await _stream.ReadExactlyAsync(data, ct).ConfigureAwait(false);
        var padding = (int)((Block - size % Block) % Block);
        if (padding > 0) await _stream.ReadExactlyAsync(_block.AsMemory(0, padding), ct).ConfigureAwait(false);
        return data;
    }

    /// <summary>False when the stream ends cleanly at a block boundary (an archive without its closing zero blocks).</summary>
    private async Task<bool> ReadBlockAsync(CancellationToken ct)
    {
        var read = await _stream.ReadAtLeastAsync(_block, Block, throwOnEndOfStream: false, ct).ConfigureAwait(false);
        if (read == 0) return false;
        if (read < Block) throw new EndOfStreamException($"The tar stream ended inside a header ({read} of {Block} bytes).");
        return true;
    }

    private async Task SkipRestAsync(CancellationToken ct)
    {
        var skip = _unread + _padding;
        _unread = 0;
        _padding = 0;
        Data = Stream.Null;
        if (skip == 0) return;
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            while (skip > 0)
            {
                var read = await _stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(skip, buffer.Length)), ct).ConfigureAwait(false);
                if (read == 0) throw new EndOfStreamException($"The tar stream ended {skip} bytes before the end of an entry.");
                skip -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void VerifyChecksum()
    {
        var stored = ReadNumber(148, 8, "checksum");
        long unsigned = 0, signed = 0;
        for (var i = 0; i < Block; i++)
        {
            var b = i is >= 148 and < 156 ? (byte)' ' : _block[i];
            unsigned += b;
            signed += (sbyte)b;
        }
        if (stored != unsigned && stored != signed) throw new InvalidDataException("A tar header's checksum does not match its bytes: the archive is damaged.");
    }

    /// <summary>An octal field (NUL or space terminated), or GNU's base-256 form when the first byte's high bit is set.</summary>
    private long ReadNumber(int offset, int length, string field)
    {
        var bytes = _block.AsSpan(offset, length);
        if ((bytes[0] & 0x80) != 0)
        {
            long binary = bytes[0] & 0x7F;
            foreach (var b in bytes[1..]) binary = checked((binary << 8) | b);
            return binary;
        }
        long value = 0;
        var started = false;
        foreach (var b in bytes)
        {
            if (b is (byte)' ' or 0) { if (started) break; continue; }
            if (b is < (byte)'0' or > (byte)'7') throw new InvalidDataException($"A tar header's {field} field is not an octal number.");
            value = checked(value * 8 + (b - '0'));
            started = true;
        }
        return value;
    }

    private static long ParseDecimal(string text, string key) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value : throw new InvalidDataException($"A PAX '{key}' record holds '{text}', not a whole number.");

    private static string CString(ReadOnlySpan<byte> field)
    {
        var end = field.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? field : field[..end]);
    }

    /// <summary>An entry's content: reads stop at its end; whatever the caller leaves unread is skipped by the next header read.</summary>
    private sealed class EntryContent(TarHeaderReader owner, long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (!Available(buffer.Length, out var want)) return 0;
            var read = owner._stream.Read(buffer[..want]);
            return Advance(read);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!Available(buffer.Length, out var want)) return 0;
            var read = await owner._stream.ReadAsync(buffer[..want], cancellationToken).ConfigureAwait(false);
            return Advance(read);
        }

        private bool Available(int asked, out int want)
        {
            if (owner.Data != this) throw new InvalidOperationException("A tar entry's content was read after the next entry was.");
            want = (int)Math.Min(asked, length - _position);
            return want > 0;
        }

        private int Advance(int read)
        {
            if (read == 0) throw new EndOfStreamException($"The tar stream ended after {_position} of {length} bytes of an entry.");
            _position += read;
            owner._unread -= read;
            return read;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
