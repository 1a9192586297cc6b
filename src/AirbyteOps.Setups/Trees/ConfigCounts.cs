namespace AirbyteOps.Setups.Trees;

/// <summary>How many configs of each type a tree holds (config/&lt;TYPE&gt;/&lt;id&gt;.json), for the summary line users read.</summary>
public static class ConfigCounts
{
    public static IReadOnlyDictionary<string, int> Of(IEnumerable<TreeEntry> entries) =>
        entries.Where(e => e.Kind is EntryKind.File or EntryKind.HardLink)
            .Select(e => e.Path.Split('/'))
            .Where(p => p.Length == 3 && p[0] == "config" && p[2].EndsWith(".json", StringComparison.Ordinal))
            .GroupBy(p => p[1], StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    public static string Format(IReadOnlyDictionary<string, int> counts) =>
        counts.Count == 0 ? "no config files" : string.Join(", ", counts.Select(kv => $"{kv.Key} {kv.Value}"));
}
