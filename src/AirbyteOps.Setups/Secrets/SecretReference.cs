namespace AirbyteOps.Setups.Secrets;

/// <summary>Where a secret was taken out of the tree: the placeholder left in its place, the file and the JSON pointer.</summary>
public sealed record SecretReference(string Placeholder, string File, string Pointer);
