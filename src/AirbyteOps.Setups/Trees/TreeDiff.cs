namespace AirbyteOps.Setups.Trees;

/// <summary>How two trees differ: paths only in the new one, only in the old one, and in both but different.</summary>
public sealed record TreeDiff(IReadOnlyList<string> Added, IReadOnlyList<string> Removed, IReadOnlyList<string> Changed)
{
    public bool IsEmpty => Added.Count == 0 && Removed.Count == 0 && Changed.Count == 0;

    public static TreeDiff Compare(IEnumerable<TreeEntry> oldTree, IEnumerable<TreeEntry> newTree)
    {
        var oldMap = oldTree.ToDictionary(e => e.Path, StringComparer.Ordinal);
        var newMap = newTree.ToDictionary(e => e.Path, StringComparer.Ordinal);
        var added = newMap.Keys.Where(k => !oldMap.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        var removed = oldMap.Keys.Where(k => !newMap.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        var changed = newMap.Where(kv => oldMap.TryGetValue(kv.Key, out var o) && !o.SameAs(kv.Value))
            .Select(kv => kv.Key).Order(StringComparer.Ordinal).ToList();
        return new TreeDiff(added, removed, changed);
    }

    /// <summary>"2 added, 1 removed, 3 changed (e.g. config/SOURCE_CONNECTION/x.json)".</summary>
    public string Summary()
    {
        if (IsEmpty) return "identical";
        var example = Changed.Concat(Added).Concat(Removed).First();
        return $"{Added.Count} added, {Removed.Count} removed, {Changed.Count} changed (e.g. {example})";
    }
}
