using System.Formats.Tar;
using System.IO.Compression;

namespace AirbyteOps.Setups.Export;

/// <summary>
/// Writes a setup as one .tar.gz: setup.json first (so a reader knows the layout at once), then data/ with every entry's
/// mode, owner and link kept. System.Formats.Tar is used because SharpCompress's tar writer stores every file as
/// 0777, uid 0, and follows symbolic links instead of storing them (checked with 0.50.8).
/// </summary>
internal static class SetupArchiveWriter
{
    public static async Task WriteAsync(string archivePath, string setupFolder, SetupManifest manifest, CancellationToken ct = default)
    {
        var time = manifest.CreatedAt;
        await using var file = new FileStream(archivePath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        await using var gzip = new GZipStream(file, CompressionLevel.Optimal);
        await using var writer = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true);
        var manifestBytes = manifest.ToJson();
        await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, SetupManifest.FileName)
        {
            Mode = (UnixFileMode)0x1A4, ModificationTime = time, DataStream = new MemoryStream(manifestBytes),
        }, ct).ConfigureAwait(false);
        await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, SetupManifest.TreeFolder + "/") { Mode = (UnixFileMode)0x1ED, ModificationTime = time }, ct).ConfigureAwait(false);
        foreach (var entry in manifest.TreeEntries())
        {
            var tar = TreeEntryTar.Header(entry, SetupManifest.TreeFolder);
            tar.ModificationTime = time;
            await using var content = entry.Kind == EntryKind.File
                ? new FileStream(Path.Combine(setupFolder, SetupManifest.TreeFolder, entry.Path), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true)
                : null;
            if (content is not null) tar.DataStream = content;
            await writer.WriteEntryAsync(tar, ct).ConfigureAwait(false);
        }
        if (manifest.Database is { } database)
        {
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, DatabaseManifest.Folder + "/") { Mode = (UnixFileMode)0x1ED, ModificationTime = time }, ct).ConfigureAwait(false);
            await using var dump = new FileStream(Path.Combine(setupFolder, database.File), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, database.File) { Mode = (UnixFileMode)0x1A4, ModificationTime = time, DataStream = dump }, ct).ConfigureAwait(false);
        }
        if (manifest.Logs is { } logs)
        {
            var folders = new HashSet<string>(StringComparer.Ordinal);
            foreach (var logFile in logs.Files)
            {
                // Each log's folders first (logs/, logs/<job>/, logs/<job>/<attempt>/), once.
                var parts = logFile.Path.Split('/');
                for (var depth = 1; depth < parts.Length; depth++)
                {
                    var folder = string.Join('/', parts[..depth]) + "/";
                    if (folders.Add(folder))
                        await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, folder) { Mode = (UnixFileMode)0x1ED, ModificationTime = time }, ct).ConfigureAwait(false);
                }
                await using var content = new FileStream(Path.Combine(setupFolder, logFile.Path), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
                await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, logFile.Path) { Mode = (UnixFileMode)0x1A4, ModificationTime = time, DataStream = content }, ct).ConfigureAwait(false);
            }
        }
    }
}
