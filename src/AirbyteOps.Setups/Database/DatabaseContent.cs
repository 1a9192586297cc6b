namespace AirbyteOps.Setups.Database;

/// <summary>
/// A setup's database part, checked before anything is written: the dump is there, matches the manifest's size and
/// SHA-256, and (sidecar secrets) every placeholder has its value and putting them back gives the dumped file exactly.
/// </summary>
internal sealed record DatabaseContent(DatabaseManifest Manifest, byte[] Dump, IReadOnlyList<SecretReference> MissingSecrets)
{
    public static bool IsSideEntry(string name) =>
        name == DatabaseManifest.Folder || name.StartsWith(DatabaseManifest.Folder + "/", StringComparison.Ordinal);

    public static DatabaseContent Load(DatabaseManifest manifest, IEnumerable<string> names, IReadOnlyDictionary<string, byte[]> files,
        string where, string? secretsPath, bool allowMissingSecrets)
    {
        foreach (var name in names)
        {
            if (name != DatabaseManifest.Folder && name != manifest.File)
                throw SafeTree.Refuse(where, name, "is not part of the setup (its manifest names only the tree and " + manifest.File + ")");
        }
        if (!files.TryGetValue(manifest.File, out var stored))
            throw new SetupException($"The {where} lacks its database dump '{manifest.File}' (the manifest lists one); the setup is damaged; nothing was written.");
        if (stored.LongLength != manifest.Size || SecretVault.Sha256Hex(stored) != manifest.Sha256)
            throw new SetupException($"The {where} does not match its manifest (database dump '{manifest.File}': checksum mismatch), the setup is damaged or was edited; nothing was written.");
        if (manifest.Secrets.Count == 0) return new DatabaseContent(manifest, stored, []);

        var values = secretsPath is not null && File.Exists(secretsPath) ? SecretVault.ReadFile(secretsPath) : null;
        var have = values is not null && values.TryGetValue(manifest.File, out var fileValues) ? fileValues : null;
        var missing = manifest.Secrets.Where(r => have is null || !have.Values.ContainsKey(r.Placeholder)).ToList();
        if (missing.Count == 0) return new DatabaseContent(manifest, DumpSecrets.Reinsert(manifest.File, stored, manifest.Secrets, have!), []);
        if (!allowMissingSecrets)
        {
            var names3 = string.Join(", ", missing.Take(3).Select(r => $"{r.Placeholder} ({r.File} {r.Pointer})"));
            var more = missing.Count > 3 ? $" and {missing.Count - 3} more" : "";
            throw new SetupException(
                $"The {where} needs {missing.Count} secret value(s) of its database that {secretsPath ?? "the secrets file"} does not have: {names3}{more}; put the secrets file back, or pass --allow-missing-secrets to restore with the placeholders in place. Nothing was written.");
        }
        return new DatabaseContent(manifest, stored, missing);
    }
}
