namespace AirbyteOps.Trees;

/// <summary>One entry of a tree as the safety rules see it: its tree-relative path, its kind and its link target.</summary>
public readonly record struct TreeNode(string Path, EntryKind Kind, string? LinkTarget);

/// <summary>
/// The one judge of whether a tree read from an archive may be written, used by every path that writes from one (a
/// restore into a data volume, a normalization project extracted to this machine). Every entry must stay inside the tree:
/// no absolute path, no <c>..</c>, no entry reached through a symbolic link, no symbolic link that resolves outside the tree
/// (following links inside the tree, as the kernel would), no hard link to anything but a file of the same tree, no
/// device, fifo or socket (refused where entries are read, see <see cref="ArchiveEntry.FromHeader"/>).
/// Whole trees are checked with <see cref="Validate"/>; a stream written as it is read adds entries one by one
/// (<see cref="Add"/>, each checked against those before it) and calls <see cref="Recheck"/> at its end.
/// </summary>
public sealed class SafeTree
{
    private const int MaxLinkHops = 40;

    private readonly string _where;
    private readonly Dictionary<string, TreeNode> _byPath = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _links = new(StringComparer.Ordinal);

    /// <param name="where">How the user names the source in messages, e.g. "archive 'x.tar.gz'".</param>
    public SafeTree(string where) => _where = where;

    /// <summary>
    /// The tree-relative form of an archive entry name ("./config/x.json" → "config/x.json", "./" → "").
    /// Throws on absolute names, <c>..</c>, backslashes, NUL and names that were not valid UTF-8. Other control characters
    /// (a newline, a tab) are ordinary bytes of a Linux file name: tar, the manifest's JSON and the volume all carry them.
    /// </summary>
    public static string NormalizeName(string raw, string where)
    {
        if (raw.Length == 0) throw Refuse(where, "(empty name)", "has an empty name");
        if (raw.Contains('\0', StringComparison.Ordinal)) throw Refuse(where, raw, "has a NUL character in its name");
        // Readers decode names as UTF-8 and put U+FFFD where bytes were not: the name could not be written back as it was.
        if (raw.Contains('\uFFFD', StringComparison.Ordinal)) throw Refuse(where, raw, "has a name that is not valid UTF-8 (shown with '\uFFFD'), which cannot be stored or written back byte for byte");
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

    /// <summary>Checks a whole tree: duplicates, entries under links, link targets, hard links.</summary>
    public static void Validate(IEnumerable<TreeNode> nodes, string where)
    {
        var tree = new SafeTree(where);
        var list = nodes.ToList();
        foreach (var node in list) tree.Record(node);
        foreach (var node in list) tree.Check(node);
    }

    /// <summary>Adds one entry and checks it against the entries added before it (call before writing it).</summary>
    public void Add(TreeNode node)
    {
        Record(node);
        Check(node);
    }

    /// <summary>Checks every entry again against the whole tree: a link may go through a link that came later.</summary>
    public void Recheck()
    {
        foreach (var node in _byPath.Values) Check(node);
    }

    private void Record(TreeNode node)
    {
        if (node.Path.Length == 0) throw Refuse(_where, "(root)", "is the tree root itself, which cannot be an entry here");
        if (!_byPath.TryAdd(node.Path, node)) throw Refuse(_where, node.Path, "appears twice");
        if (node.Kind == EntryKind.SymbolicLink) _links[node.Path] = node.LinkTarget ?? "";
    }

    private void Check(TreeNode entry)
    {
        // Writing "a/b" when "a" is a link would write wherever "a" points.
        var slash = entry.Path.LastIndexOf('/');
        for (var parent = slash < 0 ? null : entry.Path[..slash]; parent is not null; parent = parent.LastIndexOf('/') is var i and >= 0 ? parent[..i] : null)
        {
            if (_links.ContainsKey(parent)) throw Refuse(_where, entry.Path, $"lies under the symbolic link '{parent}'");
            if (_byPath.TryGetValue(parent, out var p) && p.Kind != EntryKind.Directory) throw Refuse(_where, entry.Path, $"lies under '{parent}', which is not a directory");
        }
        switch (entry.Kind)
        {
            case EntryKind.SymbolicLink:
                CheckLink(entry);
                break;
            case EntryKind.HardLink:
                var target = entry.LinkTarget ?? "";
                if (target.StartsWith('/') || target.Split('/').Contains("..")) throw Refuse(_where, entry.Path, $"is a hard link out of the tree (to '{target}')");
                var normalized = NormalizeName(target, _where);
                if (!_byPath.TryGetValue(normalized, out var linked) || linked.Kind != EntryKind.File)
                    throw Refuse(_where, entry.Path, $"is a hard link to '{target}', which is not a file of this tree");
                break;
        }
    }

    private void CheckLink(TreeNode link)
    {
        var target = link.LinkTarget ?? "";
        if (target.Length == 0) throw Refuse(_where, link.Path, "is a symbolic link with an empty target");
        if (target.StartsWith('/')) throw Refuse(_where, link.Path, $"is a symbolic link to the absolute path '{target}', which points outside the tree");
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
                if (stack.Count == 0) throw Refuse(_where, link.Path, $"is a symbolic link that escapes the tree: it points outside, to '{target}'");
                stack.RemoveAt(stack.Count - 1);
                continue;
            }
            stack.Add(part);
            if (_links.TryGetValue(string.Join('/', stack), out var next))
            {
                if (++hops > MaxLinkHops) throw Refuse(_where, link.Path, "is a symbolic link in a loop");
                if (next.StartsWith('/')) throw Refuse(_where, link.Path, $"is a symbolic link through an absolute link (to '{next}'), which points outside the tree");
                stack.RemoveAt(stack.Count - 1);
                foreach (var p in Enumerable.Reverse(next.Split('/'))) pending.AddFirst(p);
            }
        }
    }

    /// <summary>
    /// The one-line refusal: "Refusing &lt;where&gt;: entry '&lt;name&gt;' &lt;why&gt;; nothing was written.". The names in
    /// <paramref name="why"/> (a link's target, the link an entry lies under) are escaped like the entry's: one line, always.
    /// </summary>
    public static TreeException Refuse(string where, string entry, string why) =>
        new($"Refusing {where}: entry '{Printable(entry)}' {Printable(why)}; nothing was written.") { Where = where, Entry = entry, Reason = Printable(why) };

    /// <summary>A name as one line of text: control characters escaped (a newline shows as \n), so a message stays one line.</summary>
    public static string Printable(string s)
    {
        if (!s.Any(char.IsControl)) return s;
        var text = new System.Text.StringBuilder(s.Length + 8);
        foreach (var c in s)
        {
            text.Append(c switch
            {
                '\n' => "\\n",
                '\t' => "\\t",
                '\r' => "\\r",
                _ when char.IsControl(c) => $"\\x{(int)c:x2}",
                _ => c.ToString(),
            });
        }
        return text.ToString();
    }
}
