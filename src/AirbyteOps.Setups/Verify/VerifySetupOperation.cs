namespace AirbyteOps.Setups.Verify;

/// <summary>
/// VerifySetup: checks a setup completely, exactly as RestoreSetup checks it before writing (it runs the same
/// <see cref="SetupContent"/> load: manifest format, every name and link by SafeTree, every checksum, every secret
/// present in the sidecar and put back byte-identical, every config file valid under the Airbyte version's schemas and
/// nothing stray in config/&lt;TYPE&gt;/), and says what a restore would write. It takes no engine:
/// it cannot touch a deployment. A setup it refuses fails with the very message RestoreSetup would give.
/// </summary>
public sealed class VerifySetupOperation
{
    /// <param name="progressLog">Where the checksum pass's plain progress lines go (default: <paramref name="log"/>).</param>
    public async Task<VerifyResult> RunAsync(VerifyOptions options, Action<string> log, CancellationToken ct = default, Action<string>? progressLog = null)
    {
        var location = SetupLocation.ForRestore(options.Setup, options.ArtifactsDirectory, options.SecretsFile);
        var reader = SetupContent.ReaderFor(location);
        log($"Verifying {reader.Description} (no deployment is touched)...");
        SetupContent content;
        using (var progress = SetupContent.ProgressFor(location, reader, progressLog ?? log, options.ProgressTotals))
        {
            content = await SetupContent.LoadAsync(reader, location.SecretsFile, allowMissingSecrets: false, ct, progress, options.Prehashed).ConfigureAwait(false);
        }
        var tree = content.Expected;
        var result = new VerifyResult(location, content.Manifest?.FormatVersion, content.Manifest?.AirbyteVersion,
            tree.Count(e => e.Kind == EntryKind.File), tree.Count(e => e.Kind == EntryKind.Directory),
            tree.Count(e => e.Kind == EntryKind.SymbolicLink), tree.Count(e => e.Kind == EntryKind.HardLink),
            tree.Where(e => e.Kind == EntryKind.File).Sum(e => e.Size), content.Manifest?.Secrets.Count ?? 0, ConfigCounts.Of(tree));

        log(content.Manifest is { } manifest
            ? $"Manifest: format {manifest.FormatVersion} (this AirbyteOps reads up to {SetupManifest.CurrentFormatVersion}), Airbyte {manifest.AirbyteVersion ?? "unknown"}, " +
              $"exported from {manifest.Source.Kind} '{manifest.Source.Name}' at {manifest.CreatedAt:u}; every checksum matches."
            : "No manifest (a plain archive or copy of a /data tree): no checksums or Airbyte version to check; every entry checked for safety.");
        if (content.Manifest?.IsDatabaseEra != true)
            log($"A restore would write {result.Files} file(s) ({result.Bytes / 1024.0:0.#} KiB), {result.Directories} folder(s), " +
            $"{result.SymbolicLinks} symbolic link(s) and {result.HardLinks} hard link(s); every entry stays inside the tree. Configs: {ConfigCounts.Format(result.CountsByType)}.");
        if (result.Secrets > 0)
            log($"Secrets: all {result.Secrets} placeholder(s) have their value in {location.SecretsFile}; {content.Replacements.Count} file(s) put back byte-identical to the exported ones.");
        else if (content.Manifest is not null)
            log(content.Manifest.SecretsMode == SecretsMode.Inline
                ? "Secrets: kept inline in the files (--secrets inline); no secrets file needed."
                : "Secrets: none were taken out; no secrets file needed.");
        log(content.Database is { } database
            ? $"Database: dump '{database.Manifest.File}' of '{database.Manifest.Name}' (Postgres {database.Manifest.PostgresVersion}: {database.Manifest.Summary()}) matches its checksum" +
              (database.Manifest.Secrets.Count > 0 ? $"; its {database.Manifest.Secrets.Count} secret value(s) are in {location.SecretsFile} and put back give the dumped file byte for byte" : "") +
              $". It restores into Postgres {database.Manifest.PostgresMajor} (another major needs --force-postgres-major)."
            : "No database in this setup: it restores the configuration only (no sync state, no job history).");
        if (content.Manifest is not { IsDatabaseEra: true })
            await ConfigTreeValidator.ValidateAsync(content, options.AirbyteVersion, options.SkipConfigCheck, location.Name, log, ct).ConfigureAwait(false);
        if (content.Logs is { } logs)
            log($"Job logs: {logs.Manifest.Files.Count} file(s) ({logs.Bytes / 1024.0:0.#} KiB) match their checksums" +
                (logs.Manifest.Secrets.Count > 0 ? $"; the {logs.Manifest.Secrets.Count} secret value(s) they quoted are in {location.SecretsFile} and put back give each log byte for byte" : "") + ".");
        if (content.Manifest is { IsDatabaseEra: true } dbEra)
            log($"Database era: it restores into a database-era Airbyte {dbEra.AirbyteVersion ?? "(version unknown)"} or later (Flyway configs {dbEra.Database?.ConfigsMigration ?? "none"}, jobs {dbEra.Database?.JobsMigration ?? "none"} or later); an older one is refused.");
        else if (AirbyteVersion.MajorMinor(result.AirbyteVersion) is var (major, minor))
            log($"It restores into a server running Airbyte {major}.{minor}.x; another major.minor needs --force-version.");
        log($"Setup '{location.Name}' is restorable: RestoreSetup would accept it as it is.");
        return result;
    }
}
