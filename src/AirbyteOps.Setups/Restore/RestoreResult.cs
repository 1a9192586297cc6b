namespace AirbyteOps.Setups.Restore;

/// <summary>What RestoreSetup did. <see cref="AlreadyIdentical"/>: nothing changed. <see cref="Snapshot"/>: the safety snapshot taken before the swap.</summary>
public sealed record RestoreResult(
    string Setup,
    string Volume,
    bool AlreadyIdentical,
    int Files,
    string? Snapshot,
    string? Recovered,
    IReadOnlyDictionary<string, int> CountsByType,
    IReadOnlyList<SecretReference> PlaceholdersLeft);
