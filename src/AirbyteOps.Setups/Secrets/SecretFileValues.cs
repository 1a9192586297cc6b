namespace AirbyteOps.Setups.Secrets;

/// <summary>
/// What the secrets file keeps for one tree file: the original file's SHA-256 and size (so a restore can prove it
/// put back the exact bytes) and each placeholder's raw JSON string content (still escaped, so it goes back byte for byte).
/// </summary>
public sealed record SecretFileValues(string Sha256, long Size, IReadOnlyDictionary<string, string> Values);
