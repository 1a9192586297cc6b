using System.Formats.Tar;
using AirbyteOps.Docker;

namespace AirbyteOps.Workspace;

/// <summary>
/// Extracts a tar stream from the engine into a folder, refusing anything that would land outside it:
/// absolute names, <c>..</c>, links that escape, devices and fifos. Keeps modes and modification times like <c>docker cp</c>.
/// </summary>
internal static class SafeTarExtractor
{
    /// <summary>Extracts into <paramref name="destination"/>, dropping the archive's first path component (the copied folder's own name).</summary>
    public static async Task<int> ExtractAsync(Stream tar, string destination, string what, CancellationToken ct = default)
    {
        var root = Path.GetFullPath(destination);
        Directory.CreateDirectory(root);
        var directories = new List<(string Path, UnixFileMode Mode, DateTimeOffset Time)>();
        var files = 0;
        await using var reader = new TarReader(tar, leaveOpen: true);
        while (await reader.GetNextEntryAsync(copyData: false, ct).ConfigureAwait(false) is { } entry)
        {
            if (entry.EntryType is TarEntryType.GlobalExtendedAttributes) continue;
            var relative = StripFirst(entry.Name, what);
            if (relative is null)
            {
                if (entry.EntryType == TarEntryType.Directory) directories.Add((root, entry.Mode, entry.ModificationTime));
                continue;
            }
            var target = Inside(root, relative, what, entry.Name);
            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    Directory.CreateDirectory(target);
                    directories.Add((target, entry.Mode, entry.ModificationTime));
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                    await using (var output = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None, 81920, useAsync: true))
                    {
                        if (entry.DataStream is { } body) await body.CopyToAsync(output, ct).ConfigureAwait(false);
                    }
                    if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(target, entry.Mode);
                    File.SetLastWriteTimeUtc(target, entry.ModificationTime.UtcDateTime);
                    files++;
                    break;
                case TarEntryType.SymbolicLink:
                    // A relative link that stays inside is part of the project; anything else could point the user's tools outside it.
                    var linkTarget = entry.LinkName;
                    if (Path.IsPathRooted(linkTarget) || !Path.GetFullPath(Path.Combine(Path.GetDirectoryName(target)!, linkTarget)).StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                        throw new WorkspaceException($"Refusing {what}: link '{entry.Name}' points outside the project ('{linkTarget}').");
                    Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                    File.CreateSymbolicLink(target, linkTarget);
                    break;
                case TarEntryType.HardLink:
                    var source = StripFirst(entry.LinkName, what) is { } s ? Inside(root, s, what, entry.Name) : null;
                    if (source is null || !File.Exists(source))
                        throw new WorkspaceException($"Refusing {what}: hard link '{entry.Name}' points outside the project ('{entry.LinkName}').");
                    File.Copy(source, target, overwrite: true);
                    files++;
                    break;
                default:
                    throw new WorkspaceException($"Refusing {what}: '{entry.Name}' is a {entry.EntryType}, not a file, folder or link.");
            }
        }
        // Deepest first, after their content is written: a read-only folder must not stop its own extraction.
        foreach (var (path, mode, time) in directories.OrderByDescending(d => d.Path.Length))
        {
            // Windows has no Unix modes; build.cmd users get the files without them.
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, mode);
            Directory.SetLastWriteTimeUtc(path, time.UtcDateTime);
        }
        return files;
    }

    private static string? StripFirst(string name, string what)
    {
        var trimmed = name.Replace('\\', '/').TrimEnd('/');
        if (trimmed.StartsWith('/')) throw new WorkspaceException($"Refusing {what}: '{name}' is an absolute path.");
        var slash = trimmed.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? null : trimmed[(slash + 1)..];
    }

    private static string Inside(string root, string relative, string what, string original)
    {
        if (relative.Split('/').Any(p => p is ".." or ""))
            throw new WorkspaceException($"Refusing {what}: '{original}' leaves the project folder.");
        var full = Path.GetFullPath(Path.Combine(root, relative));
        if (!full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new WorkspaceException($"Refusing {what}: '{original}' leaves the project folder.");
        return full;
    }
}
