namespace AirbyteOps.Setups.Trees;

/// <summary>
/// One entry of a configuration tree: its path relative to CONFIG_ROOT ('/'-separated, no leading or trailing slash),
/// kind, permission bits, owner, size and SHA-256 (files) or link target (links).
/// Owner is null when the source cannot tell (a plain folder, a zip), and is then not compared.
/// </summary>
public sealed record TreeEntry(
    string Path,
    EntryKind Kind,
    UnixFileMode Mode,
    int? Uid,
    int? Gid,
    long Size,
    string? Sha256,
    string? LinkTarget)
{
    public string ModeText => FormatMode(Mode);

    /// <summary>What the safety rules judge of this entry.</summary>
    public TreeNode Node => new(Path, Kind, LinkTarget);

    /// <summary>True when both describe the same content, kind, mode and (when both know it) owner.</summary>
    public bool SameAs(TreeEntry other) =>
        Path == other.Path && Kind == other.Kind && Mode == other.Mode && Size == other.Size &&
        Sha256 == other.Sha256 && LinkTarget == other.LinkTarget &&
        (Uid is null || other.Uid is null || Uid == other.Uid) &&
        (Gid is null || other.Gid is null || Gid == other.Gid);

    public static string FormatMode(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0');

    public static UnixFileMode ParseMode(string text) => TryParseMode(text, out var mode) ? mode : throw new SetupException($"'{text}' is not a file mode (octal permission bits such as 0644).");

    public static bool TryParseMode(string? text, out UnixFileMode mode)
    {
        mode = 0;
        if (string.IsNullOrEmpty(text) || text.Length > 5 || text.Any(c => c is < '0' or > '7')) return false;
        mode = (UnixFileMode)Convert.ToInt32(text, 8);
        return ((int)mode & ~0xFFF) == 0;
    }
}
