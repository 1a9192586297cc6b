using AirbyteOps.Docker;

namespace AirbyteOps.Setups.Database;

/// <summary>
/// The database half of a capture: pg_dump's output streamed, line by line, through the secret cutter
/// (<see cref="DumpSecrets.Extractor"/>) straight into the setup's <c>database/&lt;db&gt;.sql</c> (mode 0600): no secret
/// touches the disk outside the sidecar, and memory holds one line at a time, whatever the size of the database. Then
/// the manifest is extended. Shared by ExportSetup and RestoreSetup's safety snapshot, so a snapshot is a full setup.
/// </summary>
internal static class DatabaseCapture
{
    /// <summary>A dump written into a capture folder: where, from which server, and what the pass over it found.</summary>
    public sealed record Dump(DatabaseTarget Target, string File, bool Sidecar, DumpSecrets.Result Extracted, string PostgresVersion, int PostgresMajor);

    /// <summary>The dump's SHA-256 without pg_dump's random \restrict / \unrestrict lines (see <see cref="DatabaseManifest.Content"/>).</summary>
    public static string Identity(byte[] dump)
    {
        var reinserter = new DumpSecrets.Reinserter("", Stream.Null, null);
        reinserter.Write(dump);
        return reinserter.Finish().Identity;
    }

    /// <summary>
    /// pg_dump of the target's database into <paramref name="folder"/>/database/&lt;db&gt;.sql, secrets cut out on the way
    /// (sidecar mode) or kept (inline). A failure leaves no dump file behind.
    /// </summary>
    /// <param name="snapshot">An exported snapshot (<see cref="SnapshotSession"/>) to dump as it was; null: the database as it is now.</param>
    public static async Task<Dump> DumpAsync(DockerEngine engine, DatabaseTarget target, string folder, SecretsMode mode, IReadOnlySet<string> extraKeys, CancellationToken ct, string? snapshot = null,
        (string Version, int Major)? serverVersion = null)
    {
        var shell = target.Shell(engine);
        // The caller may have asked the server its version already (RestoreSetup's checks): one exec fewer.
        var (version, major) = serverVersion ?? await shell.ServerVersionAsync(ct).ConfigureAwait(false);
        var file = DatabaseManifest.FileFor(target.Database);
        var full = Path.Combine(folder, file);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var sidecar = mode == SecretsMode.Sidecar;
        try
        {
            DumpSecrets.Result extracted;
            await using (var stream = new FileStream(full, UnixModes.NewPrivateFile()))
            {
                var extractor = new DumpSecrets.Extractor(file, stream, sidecar, extraKeys);
                await shell.DumpAsync(target.Database, extractor, ct, snapshot).ConfigureAwait(false);
                extracted = extractor.Finish();
            }
            return new Dump(target, file, sidecar, extracted, version, major);
        }
        catch
        {
            if (File.Exists(full)) File.Delete(full);
            throw;
        }
    }

    /// <summary>Moves <paramref name="file"/> (relative) from <paramref name="from"/> into the same place under <paramref name="to"/> (a rename: same filesystem).</summary>
    public static void MoveInto(string from, string to, string file)
    {
        var target = Path.Combine(to, file);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Move(Path.Combine(from, file), target);
    }

    /// <summary>Adds a dump (already in the capture's folder) to the capture: manifest extended (format 2, contents, database), setup.json rewritten, secret values kept.</summary>
    public static async Task<SetupCapture> AddAsync(SetupCapture capture, Dump dump, CancellationToken ct)
    {
        var extracted = dump.Extracted;
        var database = new DatabaseManifest
        {
            File = dump.File,
            Name = dump.Target.Database,
            Container = dump.Target.Name,
            PostgresVersion = dump.PostgresVersion,
            PostgresMajor = dump.PostgresMajor,
            Size = extracted.StoredSize,
            Sha256 = extracted.StoredSha256,
            Rows = extracted.Rows,
            Content = extracted.Identity,
            Secrets = dump.Sidecar ? extracted.References : [],
        };
        var manifest = capture.Manifest with
        {
            FormatVersion = 2,
            Contents = [.. capture.Manifest.Contents ?? [SetupManifest.ContentConfiguration], SetupManifest.ContentDatabase],
            Database = database,
        };
        await File.WriteAllBytesAsync(Path.Combine(capture.Folder, SetupManifest.FileName), manifest.ToJson(), ct).ConfigureAwait(false);
        var values = new Dictionary<string, SecretFileValues>(capture.SecretValues, StringComparer.Ordinal);
        if (dump.Sidecar && extracted.References.Count > 0) values[dump.File] = extracted.Values;
        return capture with { Manifest = manifest, SecretValues = values };
    }
}
