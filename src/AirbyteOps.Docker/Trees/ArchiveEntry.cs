using System.Formats.Tar;

namespace AirbyteOps.Trees;

/// <summary>An entry as a reader found it: its name in the archive, folder or engine stream, before it is placed in a tree.</summary>
public sealed record ArchiveEntry(string Name, EntryKind Kind, UnixFileMode Mode, int? Uid, int? Gid, long Size, string? LinkTarget)
{
    /// <summary>Modification time, where the source records one.</summary>
    public DateTimeOffset Modified { get; init; }

    /// <summary>
    /// The entry for a tar header; null for headers that carry no entry (PAX global headers). Devices, fifos and other
    /// types are refused, or skipped (null) when <paramref name="skipSpecial"/> (listing only, nothing written).
    /// </summary>
    public static ArchiveEntry? FromTar(TarEntry e, string where, bool skipSpecial = false) =>
        FromHeader(new TarHeader(e.EntryType, e.Name, e.Mode, e.Uid, e.Gid, e.Length, e.LinkName, e.ModificationTime), where, skipSpecial);

    internal static ArchiveEntry? FromHeader(TarHeader e, string where, bool skipSpecial = false)
    {
        EntryKind kind;
        switch (e.Type)
        {
            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                kind = EntryKind.File;
                break;
            case TarEntryType.Directory:
                kind = EntryKind.Directory;
                break;
            case TarEntryType.SymbolicLink:
                kind = EntryKind.SymbolicLink;
                break;
            case TarEntryType.HardLink:
                kind = EntryKind.HardLink;
                break;
            case TarEntryType.GlobalExtendedAttributes:
                return null;
            case TarEntryType.CharacterDevice or TarEntryType.BlockDevice:
                return skipSpecial ? null : throw SafeTree.Refuse(where, e.Name, $"is a device ({e.Type})");
            case TarEntryType.Fifo:
                return skipSpecial ? null : throw SafeTree.Refuse(where, e.Name, "is a fifo");
            default:
                return skipSpecial ? null : throw SafeTree.Refuse(where, e.Name, $"has the unsupported tar type {e.Type}");
        }
        return new ArchiveEntry(e.Name, kind, e.Mode, e.Uid, e.Gid, kind == EntryKind.File ? e.Size : 0,
            kind is EntryKind.SymbolicLink or EntryKind.HardLink ? e.LinkName : null) { Modified = e.Modified };
    }
}
