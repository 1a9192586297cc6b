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
    SetupManifest Manifest)
{
    /// <summary>How long the writers were held still (paused) for the capture; zero when there was no database part.</summary>
    public TimeSpan WritersHeld { get; init; }
}
