namespace AirbyteOps.TestSupport;

/// <summary>A scratch folder under the temp folder, deleted with its content when disposed.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory(string prefix = TestNames.Prefix) =>
        Path = Directory.CreateDirectory(System.IO.Path.Combine(System.IO.Path.GetTempPath(), prefix + TestNames.Id(12))).FullName;

    public string Path { get; }

    public void Dispose()
    {
        if (!Directory.Exists(Path)) return;
        // Restore write permission first: extracted read-only folders would block deletion.
        foreach (var dir in Directory.EnumerateDirectories(Path, "*", SearchOption.AllDirectories))
            File.SetUnixFileMode(dir, (UnixFileMode)0b111_000_000);
        Directory.Delete(Path, recursive: true);
    }

    /// <summary>Copies a folder tree (used to seed a config root the way the seed image does).</summary>
    public static void CopyTree(string from, string to)
    {
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(System.IO.Path.Combine(to, System.IO.Path.GetRelativePath(from, dir)));
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, System.IO.Path.Combine(to, System.IO.Path.GetRelativePath(from, file)), overwrite: true);
    }

    /// <summary>Every path under a folder (files, folders, links, hidden ones included), sorted: "nothing was written here" compares two of these.</summary>
    public static IReadOnlyList<string> Listing(string folder) =>
        Directory.Exists(folder)
            ? Directory.GetFileSystemEntries(folder, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
                .Select(p => System.IO.Path.GetRelativePath(folder, p)).Order(StringComparer.Ordinal).ToList()
            : [];
}
