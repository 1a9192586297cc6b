namespace AirbyteOps.Setups.Secrets;

/// <summary>A secret value found in a JSON file: where it is (JSON pointer and byte range of the raw, still-escaped string content).</summary>
public sealed record SecretField(string Pointer, int Start, int Length);
