using System.Formats.Tar;

namespace AirbyteOps.Setups.Trees;

/// <summary>The tar header of a tree entry under a folder prefix: kind, link target, mode and owner as the manifest records them.</summary>
internal static class TreeEntryTar
{
    /// <remarks>
    /// PAX by default. A name or link target holding a control character (a newline) is written as a GNU entry instead:
    /// System.Formats.Tar always puts the path in the PAX extended header, and its reader refuses a record whose value
    /// holds a newline (checked with .NET 8 and 10), while GNU entries carry the name's bytes as they are (a GNU long
    /// name when it is long). Docker's reader (Go) and GNU tar read both.
    /// </remarks>
    public static TarEntry Header(TreeEntry entry, string prefix)
    {
        var name = $"{prefix}/{entry.Path}";
        var gnu = name.Any(char.IsControl) || (entry.LinkTarget?.Any(char.IsControl) ?? false);
        var (type, path) = entry.Kind switch
        {
            EntryKind.Directory => (TarEntryType.Directory, name + "/"),
            EntryKind.SymbolicLink => (TarEntryType.SymbolicLink, name),
            EntryKind.HardLink => (TarEntryType.HardLink, name),
            _ => (TarEntryType.RegularFile, name),
        };
        TarEntry tar = gnu ? new GnuTarEntry(type, path) : new PaxTarEntry(type, path);
        if (entry.Kind == EntryKind.SymbolicLink) tar.LinkName = entry.LinkTarget!;
        if (entry.Kind == EntryKind.HardLink) tar.LinkName = $"{prefix}/{entry.LinkTarget}";
        tar.Mode = entry.Mode;
        tar.Uid = entry.Uid ?? 0;
        tar.Gid = entry.Gid ?? 0;
        return tar;
    }
}
