namespace AirbyteOps.Setups.Manifest;

/// <summary>One entry of the manifest as written to setup.json (mode as octal text, kind in words).</summary>
public sealed record ManifestEntry
{
    public required string Path { get; init; }
    public required EntryKind Type { get; init; }
    public required string Mode { get; init; }
    public int? Uid { get; init; }
    public int? Gid { get; init; }
    public long? Size { get; init; }
    public string? Sha256 { get; init; }
    public string? Target { get; init; }

    public static ManifestEntry From(TreeEntry e) => new()
    {
        Path = e.Path,
        Type = e.Kind,
        Mode = TreeEntry.FormatMode(e.Mode),
        Uid = e.Uid,
        Gid = e.Gid,
        Size = e.Kind == EntryKind.File ? e.Size : null,
        Sha256 = e.Kind == EntryKind.File ? e.Sha256 : null,
        Target = e.LinkTarget,
    };

    public TreeEntry ToTreeEntry() => new(Path, Type, TreeEntry.ParseMode(Mode), Uid, Gid,
        Type == EntryKind.File ? Size ?? 0 : 0, Type == EntryKind.File ? Sha256 : null, Target);
}
