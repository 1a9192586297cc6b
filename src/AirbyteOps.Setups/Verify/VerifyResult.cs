namespace AirbyteOps.Setups.Verify;

/// <summary>
/// What a RestoreSetup of the setup would write, as VerifySetup proved it without a deployment: the tree's counts by
/// kind, bytes, configs by type, and the secrets put back (all present, each file byte-identical to the exported one).
/// </summary>
public sealed record VerifyResult(
    SetupLocation Location,
    int? FormatVersion,
    string? AirbyteVersion,
    int Files,
    int Directories,
    int SymbolicLinks,
    int HardLinks,
    long Bytes,
    int Secrets,
    IReadOnlyDictionary<string, int> CountsByType);
