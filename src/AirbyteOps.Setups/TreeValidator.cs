using AirbyteOps.Docker;

namespace AirbyteOps.Setups;

/// <summary>
/// Decides whether a tree may be written into a data volume, before anything is written.
/// Every entry must stay inside the tree: no absolute path, no <c>..</c>, no entry reached through a symbolic link,
/// no symbolic link that resolves outside the tree (following links inside the tree, as the kernel would),
/// no hard link to anything but a file of the same tree, no device, fifo or socket.
/// </summary>
public static class TreeValidator
{
    private const int MaxLinkHops = 40;

    /// <summary>
    /// The tree-relative form of an archive entry name ("./config/x.json" → "config/x.json", "./" → "").
    /// Throws on absolute names, <c>..</c>, backslashes and control characters.
    /// </summary>
    public static string NormalizeName(string raw, string where)
    {
        if (raw.Length == 0) throw Refuse(where, "(empty name)", "has an empty name");
        if (raw.Contains('\0', StringComparison.Ordinal) || raw.Any(char.IsControl)) throw Refuse(where, Printable(raw), "has a control character in its name");
        if (raw.Contains('\\', StringComparison.Ordinal)) throw Refuse(where, raw, "uses a backslash in its name (ambiguous path)");
        if (raw.StartsWith('/')) throw Refuse(where, raw, "is an absolute path");
        var parts = new List<string>();
        foreach (var part in raw.Split('/'))
        {
            if (part is "" or ".") continue;
            if (part == "..") throw Refuse(where, raw, "climbs out of the tree with '..'");
            parts.Add(part);
        }
        return string.Join('/', parts);
    }

    /// <summary>Checks the tree as a whole: duplicates, entries under links, link targets, hard links.</summary>
    public static void Validate(IReadOnlyList<TreeEntry> entries, string where)
    {
        var byPath = new Dictionary<string, TreeEntry>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (entry.Path.Length == 0) throw Refuse(where, "(root)", "is the tree root itself, which cannot be an entry here");
            if (!byPath.TryAdd(entry.Path, entry)) throw Refuse(where, entry.Path, "appears twice");
        }
        var links = entries.Where(e => e.Kind == EntryKind.SymbolicLink).ToDictionary(e => e.Path, e => e.LinkTarget ?? "", StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            // Writing "a/b" when "a" is a link would write wherever "a" points.
            var slash = entry.Path.LastIndexOf('/');
            for (var parent = slash < 0 ? null : entry.Path[..slash]; parent is not null; parent = parent.LastIndexOf('/') is var i and >= 0 ? parent[..i] : null)
            {
                if (links.ContainsKey(parent)) throw Refuse(where, entry.Path, $"lies under the symbolic link '{parent}'");
                if (byPath.TryGetValue(parent, out var p) && p.Kind != EntryKind.Directory) throw Refuse(where, entry.Path, $"lies under '{parent}', which is not a directory");
            }
            switch (entry.Kind)
            {
                case EntryKind.SymbolicLink:
                    CheckLink(entry, links, where);
                    break;
                case EntryKind.HardLink:
                    var target = entry.LinkTarget ?? "";
                    if (target.StartsWith('/') || target.Split('/').Contains("..")) throw Refuse(where, entry.Path, $"is a hard link out of the tree (to '{target}')");
                    var normalized = NormalizeName(target, where);
                    if (!byPath.TryGetValue(normalized, out var linked) || linked.Kind != EntryKind.File)
                        throw Refuse(where, entry.Path, $"is a hard link to '{target}', which is not a file of this tree");
                    break;
            }
        }
    }

    private static void CheckLink(TreeEntry link, IReadOnlyDictionary<string, string> links, string where)
    {
        var target = link.LinkTarget ?? "";
        if (target.Length == 0) throw Refuse(where, link.Path, "is a symbolic link with an empty target");
        if (target.StartsWith('/')) throw Refuse(where, link.Path, $"is a symbolic link to the absolute path '{target}'");
        // Resolve the way the kernel would, but inside the tree only: a link that goes through other links is
        // followed hop by hop, and going above the root at any point is an escape.
        var stack = link.Path.Split('/').SkipLast(1).ToList();
        var pending = new LinkedList<string>(target.Split('/'));
        var hops = 0;
        while (pending.First is { } node)
        {
            pending.RemoveFirst();
            var part = node.Value;
            if (part is "" or ".") continue;
            if (part == "..")
            {
                if (stack.Count == 0) throw Refuse(where, link.Path, $"is a symbolic link that escapes the tree (to '{target}')");
                stack.RemoveAt(stack.Count - 1);
                continue;
            }
            stack.Add(part);
            if (links.TryGetValue(string.Join('/', stack), out var next))
            {
                if (++hops > MaxLinkHops) throw Refuse(where, link.Path, "is a symbolic link in a loop");
                if (next.StartsWith('/')) throw Refuse(where, link.Path, $"is a symbolic link through an absolute link (to '{next}')");
                stack.RemoveAt(stack.Count - 1);
                foreach (var p in Enumerable.Reverse(next.Split('/'))) pending.AddFirst(p);
            }
        }
    }

    internal static SetupException Refuse(string where, string entry, string why) =>
        new($"Refusing {where}: entry '{Printable(entry)}' {why}; nothing was written.");

    private static string Printable(string s) => new(s.Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
