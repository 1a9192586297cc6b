using System.Formats.Tar;

namespace AirbyteOps.Setups.Trees;

/// <summary>The tar header of a tree entry under a folder prefix: kind, link target, mode and owner as the manifest records them.</summary>
internal static class TreeEntryTar
{
    public static PaxTarEntry Header(TreeEntry entry, string prefix)
    {
        var name = $"{prefix}/{entry.Path}";
        var tar = entry.Kind switch
        {
            EntryKind.Directory => new PaxTarEntry(TarEntryType.Directory, name + "/"),
            EntryKind.SymbolicLink => new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = entry.LinkTarget! },
            EntryKind.HardLink => new PaxTarEntry(TarEntryType.HardLink, name) { LinkName = $"{prefix}/{entry.LinkTarget}" },
            _ => new PaxTarEntry(TarEntryType.RegularFile, name),
        };
        tar.Mode = entry.Mode;
        tar.Uid = entry.Uid ?? 0;
        tar.Gid = entry.Gid ?? 0;
        return tar;
    }
}
