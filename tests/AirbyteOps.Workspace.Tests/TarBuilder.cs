using System.Formats.Tar;
using System.Text;

namespace AirbyteOps.Workspace.Tests;

/// <summary>Builds a tar in memory (folders, files with modes and times, links) to seed test volumes and feed readers.</summary>
public sealed class TarBuilder
{
    private static readonly DateTimeOffset BaseTime = new(2021, 2, 3, 4, 5, 6, TimeSpan.Zero);
    private readonly List<TarEntry> _entries = [];
    private readonly HashSet<string> _directories = new(StringComparer.Ordinal);

    public TarBuilder Directory(string path, UnixFileMode mode = (UnixFileMode)0b111_101_101)
    {
        var parts = path.Trim('/').Split('/');
        for (var i = 1; i <= parts.Length; i++)
        {
            var dir = string.Join('/', parts[..i]);
            if (!_directories.Add(dir)) continue;
            _entries.Add(new PaxTarEntry(TarEntryType.Directory, dir + "/") { Mode = mode, ModificationTime = BaseTime });
        }
        return this;
    }

    public TarBuilder File(string path, string content, UnixFileMode mode = (UnixFileMode)0b110_100_100, DateTimeOffset? time = null)
    {
        if (path.Contains('/', StringComparison.Ordinal)) Directory(path[..path.LastIndexOf('/')]);
        _entries.Add(new PaxTarEntry(TarEntryType.RegularFile, path)
        {
            Mode = mode,
            ModificationTime = time ?? BaseTime,
            DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)),
        });
        return this;
    }

    public TarBuilder Entry(TarEntry entry)
    {
        _entries.Add(entry);
        return this;
    }

    public TarBuilder Symlink(string path, string target)
    {
        _entries.Add(new PaxTarEntry(TarEntryType.SymbolicLink, path) { LinkName = target, Mode = (UnixFileMode)0b111_111_111, ModificationTime = BaseTime });
        return this;
    }

    public MemoryStream Build()
    {
        var output = new MemoryStream();
        using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var entry in _entries) writer.WriteEntry(entry);
        }
        output.Position = 0;
        return output;
    }
}
