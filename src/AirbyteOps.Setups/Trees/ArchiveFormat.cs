namespace AirbyteOps.Setups.Trees;

/// <summary>Archive formats a restore reads, told apart by their first bytes rather than by the file name.</summary>
public enum ArchiveFormat
{
    Tar,
    TarGzip,
    TarBzip2,
    TarXz,
    Zip,
}
