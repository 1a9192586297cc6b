using System.Formats.Tar;
using System.Text;

namespace AirbyteOps.Setups.Tests;

/// <summary>
/// The one tar reader (TarTree) on archives written here: PAX records whose values hold a newline or an '=' (which .NET's
/// TarReader refuses: "The extended header contains invalid records"), GNU long names, modes and owners, and damaged input.
/// The engine's own archive of such names is covered end to end by RoundTripPropertyTests.
/// </summary>
public sealed class TarReadingTests
{
    private static readonly string LongNewlineFolder = "data/config/two\nlines 6267/long1872-" + new string('é', 120);

    private static MemoryStream Write(TarEntryFormat format, params TarEntry[] entries)
    {
        var memory = new MemoryStream();
        using (var writer = new TarWriter(memory, format, leaveOpen: true))
            foreach (var entry in entries) writer.WriteEntry(entry);
        memory.Position = 0;
        return memory;
    }

    private static async Task<List<(ArchiveEntry Entry, byte[]? Content)>> ReadAsync(Stream tar)
    {
        var read = new List<(ArchiveEntry, byte[]?)>();
        await TarTree.ReadAsync(tar, "test", async (entry, body) =>
        {
            byte[]? content = null;
            if (body is not null)
            {
                using var memory = new MemoryStream();
                await body.CopyToAsync(memory);
                content = memory.ToArray();
            }
            read.Add((entry, content));
        });
        return read;
    }

    [Fact]
    public async Task Pax_names_and_link_targets_holding_newlines_read_back_byte_for_byte()
    {
        var file = $"{LongNewlineFolder}/tab\there=1668";
        using var tar = Write(TarEntryFormat.Pax,
            new PaxTarEntry(TarEntryType.Directory, LongNewlineFolder + "/") { Mode = (UnixFileMode)0x1C0, Uid = 1000, Gid = 1000 },
            new PaxTarEntry(TarEntryType.RegularFile, file) { Mode = (UnixFileMode)0x9ED, DataStream = new MemoryStream("a\nb"u8.ToArray()) },
            new PaxTarEntry(TarEntryType.SymbolicLink, LongNewlineFolder + "/link") { LinkName = "../x\ny=" + new string('z', 110) },
            new PaxTarEntry(TarEntryType.HardLink, "data/config/hard") { LinkName = file });
        // The archive is one .NET's own reader refuses: this is the input the old reading failed on.
        Assert.Throws<InvalidDataException>(() => { using var reader = new TarReader(Write(TarEntryFormat.Pax, new PaxTarEntry(TarEntryType.Directory, LongNewlineFolder + "/"))); reader.GetNextEntry(); });

        var read = await ReadAsync(tar);

        Assert.Equal([LongNewlineFolder + "/", file, LongNewlineFolder + "/link", "data/config/hard"], read.Select(r => r.Entry.Name));
        Assert.Equal((EntryKind.Directory, (UnixFileMode)0x1C0, (int?)1000), (read[0].Entry.Kind, read[0].Entry.Mode, read[0].Entry.Uid));
        Assert.Equal((EntryKind.File, (UnixFileMode)0x9ED, 3L), (read[1].Entry.Kind, read[1].Entry.Mode, read[1].Entry.Size));
        Assert.Equal("a\nb"u8.ToArray(), read[1].Content);
        Assert.Equal((EntryKind.SymbolicLink, "../x\ny=" + new string('z', 110)), (read[2].Entry.Kind, read[2].Entry.LinkTarget));
        Assert.Equal((EntryKind.HardLink, file), (read[3].Entry.Kind, read[3].Entry.LinkTarget));
    }

    [Fact]
    public async Task Gnu_long_names_and_ustar_prefixes_are_read()
    {
        var gnu = LongNewlineFolder + "/gnu file";
        var prefixed = "data/" + new string('p', 120) + "/short.json";
        using var tar = Write(TarEntryFormat.Gnu, new GnuTarEntry(TarEntryType.RegularFile, gnu) { DataStream = new MemoryStream([1, 2, 3]) });
        using var ustar = Write(TarEntryFormat.Ustar, new UstarTarEntry(TarEntryType.RegularFile, prefixed) { DataStream = new MemoryStream([4]) });

        var gnuRead = Assert.Single(await ReadAsync(tar));
        var ustarRead = Assert.Single(await ReadAsync(ustar));

        Assert.Equal(gnu, gnuRead.Entry.Name);
        Assert.Equal([1, 2, 3], gnuRead.Content!);
        Assert.Equal(prefixed, ustarRead.Entry.Name);
        Assert.Equal([4], ustarRead.Content!);
    }

    [Fact]
    public async Task Content_left_unread_is_skipped_and_the_next_entry_is_read()
    {
        using var tar = Write(TarEntryFormat.Pax,
            new PaxTarEntry(TarEntryType.RegularFile, "data/big") { DataStream = new MemoryStream(new byte[70_001]) },
            new PaxTarEntry(TarEntryType.RegularFile, "data/after") { DataStream = new MemoryStream([9]) });
        var names = new List<string>();
        await TarTree.ReadAsync(tar, "test", (entry, _) => { names.Add(entry.Name); return Task.CompletedTask; });
        Assert.Equal(["data/big", "data/after"], names);
    }

    [Fact]
    public async Task A_damaged_header_or_a_cut_archive_fails_as_damaged_not_as_an_empty_tree()
    {
        using var tar = Write(TarEntryFormat.Pax, new PaxTarEntry(TarEntryType.RegularFile, "data/f") { DataStream = new MemoryStream(new byte[2000]) });
        var bytes = tar.ToArray();
        var damaged = (byte[])bytes.Clone();
        var header = bytes.AsSpan().LastIndexOf("data/f"u8); // the entry's own header (its PAX records name it first)
        Assert.Equal(0, header % 512);
        damaged[header] ^= 0x01;

        await Assert.ThrowsAsync<InvalidDataException>(() => ReadAsync(new MemoryStream(damaged)));
        await Assert.ThrowsAsync<EndOfStreamException>(() => ReadAsync(new MemoryStream(bytes[..(header + 512 + 1000)])));
    }

    [Fact]
    public void A_pax_record_is_cut_by_its_length_and_a_wrong_length_is_refused()
    {
        static byte[] Record(string key, string value)
        {
            var body = Encoding.UTF8.GetBytes($" {key}={value}\n");
            var length = body.Length + 1;
            while ((length.ToString().Length + body.Length) != length) length++;
            return [.. Encoding.ASCII.GetBytes(length.ToString()), .. body];
        }
        var records = TarHeaderReader.ParsePax([.. Record("path", "a\n12 path=b\n"), .. Record("uid", "7")]);
        Assert.Equal("a\n12 path=b\n", records["path"]);
        Assert.Equal("7", records["uid"]);
        Assert.Throws<InvalidDataException>(() => TarHeaderReader.ParsePax("9 path=a\nb\n"u8.ToArray()));
    }
}
