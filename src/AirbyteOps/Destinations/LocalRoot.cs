namespace AirbyteOps.Destinations;

/// <summary>What the local-file destination folder holds, as the tutorial's `find /tmp/airbyte_local` shows it.</summary>
public static class LocalRoot
{
    public static IReadOnlyList<string> Describe(string root, int limit = 50)
    {
        if (!Directory.Exists(root)) return [$"{root} does not exist yet (the local-file destination creates it on its first sync)."];
        var entries = Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        var lines = new List<string> { root };
        foreach (var entry in entries.Take(limit))
            lines.Add(File.Exists(entry) ? $"{entry} ({new FileInfo(entry).Length} bytes)" : entry);
        if (entries.Count > limit) lines.Add($"... and {entries.Count - limit} more");
        return lines;
    }
}
