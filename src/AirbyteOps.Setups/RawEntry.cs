using System.Formats.Tar;

namespace AirbyteOps.Setups;

/// <summary>An entry as a reader found it: its name in the archive, folder or engine stream, before it is placed in a tree.</summary>
internal sealed record RawEntry(string Name, EntryKind Kind, UnixFileMode Mode, int? Uid, int? Gid, long Size, string? LinkTarget)
{
    /// <summary>The entry for a tar header; null for headers that carry no entry (PAX global headers); refuses devices and fifos.</summary>
    public static RawEntry? FromTar(TarEntry e, string where)
    {
        EntryKind kind;
        switch (e.EntryType)
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
                throw TreeValidator.Refuse(where, e.Name, "is a device");
            case TarEntryType.Fifo:
                throw TreeValidator.Refuse(where, e.Name, "is a fifo");
            default:
                throw TreeValidator.Refuse(where, e.Name, $"has the unsupported tar type {e.EntryType}");
        }
        return new RawEntry(e.Name, kind, e.Mode, e.Uid, e.Gid, kind == EntryKind.File ? e.Length : 0,
            kind is EntryKind.SymbolicLink or EntryKind.HardLink ? e.LinkName : null);
    }
}
