namespace AirbyteOps.Trees;

/// <summary>The kinds of entry a configuration tree may hold. Devices, fifos and sockets are never accepted.</summary>
public enum EntryKind
{
    File,
    Directory,
    SymbolicLink,
    HardLink,
}
