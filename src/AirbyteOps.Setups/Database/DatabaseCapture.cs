using AirbyteOps.Docker;

namespace AirbyteOps.Setups.Database;

/// <summary>
/// The database half of a capture: pg_dump into memory (while the writers are held), then, with the writers already
/// running again, secrets cut out into the capture's sidecar values and the dump written beside data/ under database/.
/// Shared by ExportSetup and RestoreSetup's safety snapshot, so a snapshot is a full setup.
/// </summary>
internal static class DatabaseCapture
{
    /// <summary>The raw dump of the database and the server's version: the part that needs the writers held.</summary>
    public sealed record Dump(DatabaseTarget Target, byte[] Bytes, string PostgresVersion, int PostgresMajor);

    /// <summary>The dump's SHA-256 without pg_dump's random \restrict / \unrestrict lines (see <see cref="DatabaseManifest.Content"/>).</summary>
    public static string Identity(byte[] dump)
    {
        using var kept = new MemoryStream(dump.Length);
        var position = 0;
        while (position < dump.Length)
        {
            var end = Array.IndexOf(dump, (byte)'\n', position);
            end = end < 0 ? dump.Length : end + 1;
            var line = dump.AsSpan(position, end - position);
            if (!line.StartsWith("\\restrict "u8) && !line.StartsWith("\\unrestrict "u8)) kept.Write(line);
            position = end;
        }
        return SecretVault.Sha256Hex(kept.ToArray());
    }

    public static async Task<Dump> DumpAsync(DockerEngine engine, DatabaseTarget target, CancellationToken ct)
    {
        var shell = target.Shell(engine);
        var (version, major) = await shell.ServerVersionAsync(ct).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        await shell.DumpAsync(target.Database, buffer, ct).ConfigureAwait(false);
        return new Dump(target, buffer.ToArray(), version, major);
    }

    /// <summary>
    /// Adds the dump to a capture: secrets out (sidecar mode) or kept (inline), file written under the capture's folder
    /// (mode 0600), manifest extended (format 2, contents, database) and setup.json rewritten.
    /// </summary>
    public static async Task<SetupCapture> AddAsync(SetupCapture capture, Dump dump, SecretsMode mode, IReadOnlySet<string> extraKeys, CancellationToken ct)
    {
        var file = DatabaseManifest.FileFor(dump.Target.Database);
        var extracted = DumpSecrets.Extract(file, dump.Bytes, extraKeys);
        var sidecar = mode == SecretsMode.Sidecar;
        var stored = sidecar ? extracted.Stored : dump.Bytes;
        var full = Path.Combine(capture.Folder, file);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        await using (var stream = new FileStream(full, UnixModes.NewPrivateFile()))
            await stream.WriteAsync(stored, ct).ConfigureAwait(false);
        var database = new DatabaseManifest
        {
            File = file,
            Name = dump.Target.Database,
            Container = dump.Target.Name,
            PostgresVersion = dump.PostgresVersion,
            PostgresMajor = dump.PostgresMajor,
            Size = stored.LongLength,
            Sha256 = SecretVault.Sha256Hex(stored),
            Rows = extracted.Rows,
            Content = Identity(dump.Bytes),
            Secrets = sidecar ? extracted.References : [],
        };
        var manifest = capture.Manifest with
        {
            FormatVersion = 2,
            Contents = [SetupManifest.ContentConfiguration, SetupManifest.ContentDatabase],
            Database = database,
        };
        await File.WriteAllBytesAsync(Path.Combine(capture.Folder, SetupManifest.FileName), manifest.ToJson(), ct).ConfigureAwait(false);
        var values = new Dictionary<string, SecretFileValues>(capture.SecretValues, StringComparer.Ordinal);
        if (sidecar && extracted.References.Count > 0) values[file] = extracted.Values;
        return capture with { Manifest = manifest, SecretValues = values };
    }
}
