namespace AirbyteOps.Setups.Export;

/// <summary>What ExportSetup did.</summary>
public sealed record ExportResult(
    SetupLocation Location,
    bool UpToDate,
    int Files,
    long Bytes,
    int Secrets,
    string Source,
    IReadOnlyDictionary<string, int> CountsByType,
    SetupManifest Manifest);
