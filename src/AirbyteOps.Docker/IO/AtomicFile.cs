namespace AirbyteOps.IO;

/// <summary>
/// Writes a file so that it is never seen half-written: the content goes to a hidden sibling
/// (<c>.&lt;name&gt;.partial-&lt;8 hex&gt;</c>, same folder, so the same filesystem) and is renamed over the final name last.
/// The partial is removed when the write fails; one left by a killed process is removed by <see cref="RemoveLeftovers"/>.
/// </summary>
public static class AtomicFile
{
    /// <summary>A hidden sibling name for work in progress, plainly not the final file or folder.</summary>
    public static string PartialPath(string finalPath) => Sibling(finalPath, "partial");

    /// <summary>Writes through <paramref name="write"/> (given the partial path), then renames it over <paramref name="path"/>.</summary>
    public static async Task WriteAsync(string path, Func<string, Task> write)
    {
        var partial = PartialPath(path);
        try
        {
            await write(partial).ConfigureAwait(false);
            File.Move(partial, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(partial)) File.Delete(partial);
        }
    }

    /// <summary>Writes <paramref name="text"/> the same way, synchronously, creating the folder when needed.</summary>
    public static void WriteAllText(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var partial = PartialPath(path);
        try
        {
            File.WriteAllText(partial, text);
            File.Move(partial, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(partial)) File.Delete(partial);
        }
    }

    public static Task WriteAllBytesAsync(string path, byte[] content, CancellationToken ct = default) =>
        WriteAsync(path, partial => File.WriteAllBytesAsync(partial, content, ct));

    /// <summary>Removes the partial files and folders an interrupted write of <paramref name="finalPath"/> left; returns how many.</summary>
    public static int RemoveLeftovers(string finalPath)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(finalPath))!;
        if (!Directory.Exists(directory)) return 0;
        var removed = 0;
        foreach (var entry in Directory.EnumerateFileSystemEntries(directory, $".{Path.GetFileName(finalPath)}.partial-*"))
        {
            if (Directory.Exists(entry)) Directory.Delete(entry, recursive: true);
            else File.Delete(entry);
            removed++;
        }
        return removed;
    }

    internal static string Sibling(string finalPath, string role)
    {
        var full = Path.GetFullPath(finalPath.TrimEnd('/', Path.DirectorySeparatorChar));
        return Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{role}-{Guid.NewGuid():N}"[..^24]);
    }
}
