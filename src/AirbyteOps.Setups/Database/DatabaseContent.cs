namespace AirbyteOps.Setups.Database;

/// <summary>
/// A setup's database part, checked before anything is written: the dump is there, matches the manifest's size and
/// SHA-256, and (sidecar secrets) every placeholder has its value and putting them back gives the dumped file exactly.
/// The dump is never held in memory: the check streams it once (<see cref="ScanAsync"/>, during the setup's reading
/// pass), and <see cref="LoadIntoAsync"/> streams it again, secrets put back line by line, into whatever loads it.
/// </summary>
internal sealed class DatabaseContent
{
    private readonly ITreeReader _reader;
    private readonly SecretFileValues? _values;

    private DatabaseContent(DatabaseManifest manifest, ITreeReader reader, SecretFileValues? values, string identity, IReadOnlyList<SecretReference> missing)
    {
        Manifest = manifest;
        _reader = reader;
        _values = values;
        Identity = identity;
        MissingSecrets = missing;
    }

    public DatabaseManifest Manifest { get; }
    /// <summary>The identity (<see cref="DatabaseManifest.Content"/>) of what a restore loads: the dump with its secrets back.</summary>
    public string Identity { get; }
    public IReadOnlyList<SecretReference> MissingSecrets { get; }

    public static bool IsSideEntry(string name) =>
        name == DatabaseManifest.Folder || name.StartsWith(DatabaseManifest.Folder + "/", StringComparison.Ordinal);

    /// <summary>
    /// One streaming pass over a file under database/: its stored SHA-256 and size and, with the sidecar's values for it,
    /// what putting them back gives (SHA-256, identity, placeholders seen). Nothing is kept but these facts.
    /// </summary>
    public static async Task<DumpSecrets.Outcome> ScanAsync(string name, Stream content, string? secretsPath, CancellationToken ct)
    {
        var sidecar = secretsPath is not null && File.Exists(secretsPath) ? SecretVault.ReadFile(secretsPath) : null;
        var values = sidecar is not null && sidecar.TryGetValue(name, out var v) ? v : null;
        var reinserter = new DumpSecrets.Reinserter(name, Stream.Null, values);
        await content.CopyToAsync(reinserter, ct).ConfigureAwait(false);
        return reinserter.Finish();
    }

    public static DatabaseContent Load(DatabaseManifest manifest, IEnumerable<string> names, IReadOnlyDictionary<string, DumpSecrets.Outcome> files,
        ITreeReader reader, string? secretsPath, bool allowMissingSecrets)
    {
        var where = reader.Description;
        foreach (var name in names)
        {
            if (name != DatabaseManifest.Folder && name != manifest.File)
                throw SafeTree.Refuse(where, name, "is not part of the setup (its manifest names only the tree and " + manifest.File + ")");
        }
        if (!files.TryGetValue(manifest.File, out var scanned))
            throw new SetupException($"The {where} lacks its database dump '{manifest.File}' (the manifest lists one); the setup is damaged; nothing was written.");
        if (scanned.StoredSize != manifest.Size || scanned.StoredSha256 != manifest.Sha256)
            throw new SetupException($"The {where} does not match its manifest (database dump '{manifest.File}': checksum mismatch), the setup is damaged or was edited; nothing was written.");
        if (manifest.Secrets.Count == 0) return new DatabaseContent(manifest, reader, null, scanned.Identity, []);

        var values = secretsPath is not null && File.Exists(secretsPath) ? SecretVault.ReadFile(secretsPath) : null;
        var have = values is not null && values.TryGetValue(manifest.File, out var fileValues) ? fileValues : null;
        var missing = manifest.Secrets.Where(r => have is null || !have.Values.ContainsKey(r.Placeholder)).ToList();
        if (missing.Count == 0)
        {
            scanned.ThrowIfNotOriginal(manifest.File, manifest.Secrets, have!);
            return new DatabaseContent(manifest, reader, have, scanned.Identity, []);
        }
        if (!allowMissingSecrets)
        {
            var names3 = string.Join(", ", missing.Take(3).Select(r => $"{r.Placeholder} ({r.File} {r.Pointer})"));
            var more = missing.Count > 3 ? $" and {missing.Count - 3} more" : "";
            throw new SetupException(
                $"The {where} needs {missing.Count} secret value(s) of its database that {secretsPath ?? "the secrets file"} does not have: {names3}{more}; put the secrets file back, or pass --allow-missing-secrets to restore with the placeholders in place. Nothing was written.");
        }
        return new DatabaseContent(manifest, reader, null, scanned.Identity, missing);
    }

    /// <summary>
    /// Streams the dump out of the setup (a second read of its folder or archive), secrets put back line by line, into
    /// <paramref name="consume"/> (psql's stdin); then proves that what was streamed is what the check saw (the dumped
    /// file's SHA-256, or the stored one's without secrets). A setup changed in between fails here, after the load: the
    /// caller drops what it loaded.
    /// </summary>
    public async Task LoadIntoAsync(Func<Stream, Task> consume, CancellationToken ct)
    {
        DumpSecrets.Reinserter? reinserter = null;
        var found = false;
        await _reader.ReadAsync(async (raw, stream) =>
        {
            if (found || stream is null || SafeTree.NormalizeName(raw.Name, _reader.Description) != Manifest.File) return;
            found = true;
            await using var transform = new LineTransformReadStream(stream, output => reinserter = new DumpSecrets.Reinserter(Manifest.File, output, _values));
            await consume(transform).ConfigureAwait(false);
        }, ct).ConfigureAwait(false);
        if (!found || reinserter is null)
            throw new SetupException($"The {_reader.Description} no longer holds its database dump '{Manifest.File}'; it changed during the restore.");
        var outcome = reinserter.Finish();
        if (_values is not null) outcome.ThrowIfNotOriginal(Manifest.File, Manifest.Secrets, _values);
        else if (outcome.StoredSha256 != Manifest.Sha256 || outcome.StoredSize != Manifest.Size)
            throw new SetupException($"The {_reader.Description}'s database dump '{Manifest.File}' changed during the restore (checksum differs).");
    }
}
