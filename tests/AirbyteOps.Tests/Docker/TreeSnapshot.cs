using System.Formats.Tar;
using System.Security.Cryptography;

namespace AirbyteOps.Tests.Docker;

/// <summary>A comparable picture of a file tree: for each path its kind, permission bits, content hash or link target.</summary>
public static class TreeSnapshot
{
    private const UnixFileMode Permissions = (UnixFileMode)0xFFF;

    public static SortedDictionary<string, string> FromTar(Stream tar)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        using var reader = new TarReader(tar);
        while (reader.GetNextEntry(copyData: true) is { } entry)
        {
            var name = entry.Name.TrimEnd('/');
            var mode = Convert.ToString((int)(entry.Mode & Permissions), 8);
            result[name] = entry.EntryType switch
            {
                TarEntryType.Directory => $"dir {mode}",
                TarEntryType.SymbolicLink => $"link -> {entry.LinkName}",
                TarEntryType.RegularFile or TarEntryType.V7RegularFile => $"file {mode} {Hash(entry.DataStream)}",
                var other => $"other {other}",
            };
        }
        return result;
    }

    /// <summary>The tree rooted at <paramref name="root"/>, with names prefixed by the root's own name, as tar entries are.</summary>
    public static SortedDictionary<string, string> FromDirectory(string root)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var top = Path.GetFileName(root.TrimEnd('/'));
        void Visit(string path, string name)
        {
            var info = new FileInfo(path);
            if (info.LinkTarget is { } target) { result[name] = $"link -> {target}"; return; }
            var mode = Convert.ToString((int)(File.GetUnixFileMode(path) & Permissions), 8);
            if (Directory.Exists(path))
            {
                result[name] = $"dir {mode}";
                foreach (var child in Directory.EnumerateFileSystemEntries(path)) Visit(child, $"{name}/{Path.GetFileName(child)}");
            }
            else
            {
                using var stream = File.OpenRead(path);
                result[name] = $"file {mode} {Hash(stream)}";
            }
        }
        Visit(root, top);
        return result;
    }

    private static string Hash(Stream? data) => data is null ? "empty" : Convert.ToHexString(SHA256.HashData(data))[..16];
}
