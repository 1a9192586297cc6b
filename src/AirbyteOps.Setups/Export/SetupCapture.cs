using AirbyteOps.Docker.Host;
using AirbyteOps.IO;
using AirbyteOps.Progress;

namespace AirbyteOps.Setups.Export;

/// <summary>
/// Captures a live tree (an engine tar stream) into a not-yet-published setup folder: the tree under data/, secrets
/// taken out per the mode, and the manifest. Shared by ExportSetup and by RestoreSetup's safety snapshot.
/// </summary>
internal sealed record SetupCapture(
    string Folder,
    IReadOnlyList<TreeEntry> Live,
    SetupManifest Manifest,
    IReadOnlyDictionary<string, SecretFileValues> SecretValues,
    bool RestoreInterrupted)
{
    public static Task<SetupCapture> CaptureAsync(Stream tar, string where, string folder, SetupSource source, string? airbyteVersion,
        SecretsMode mode, IReadOnlySet<string> extraKeys, CancellationToken ct, ConnectorSpecLookup? specs = null, ProgressReporter? progress = null) =>
        CaptureAsync((openFile, onEntry) => LiveTree.ReadAsync(tar, where, openFile, onEntry, ct, progress), folder, source, airbyteVersion, mode, extraKeys, ct, specs);

    /// <summary>The same capture of a tree on this host's filesystem: the volume's root there (the direct path, <see cref="HostVolume"/>).</summary>
    public static Task<SetupCapture> CaptureHostAsync(HostVolume host, string where, string folder, SetupSource source, string? airbyteVersion,
        SecretsMode mode, IReadOnlySet<string> extraKeys, CancellationToken ct, ConnectorSpecLookup? specs = null, ProgressReporter? progress = null,
        Func<CancellationToken, Task>? afterWalk = null) =>
        CaptureAsync((openFile, onEntry) => LiveTree.ReadHostAsync(host.Root, where, openFile, onEntry, ct, progress, afterWalk), folder, source, airbyteVersion, mode, extraKeys, ct, specs);

    private static async Task<SetupCapture> CaptureAsync(Func<Func<TreeEntry, Stream?>, Action<TreeEntry>, Task<LiveTree.Result>> read, string folder, SetupSource source, string? airbyteVersion,
        SecretsMode mode, IReadOnlySet<string> extraKeys, CancellationToken ct, ConnectorSpecLookup? specs)
    {
        try
        {
            return await CaptureIntoAsync(read, folder, source, airbyteVersion, mode, extraKeys, specs, ct).ConfigureAwait(false);
        }
        catch
        {
            // Cancelled or failed half-way (an export, or a restore's safety snapshot): the unfinished folder goes too.
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
            throw;
        }
    }

    private static async Task<SetupCapture> CaptureIntoAsync(Func<Func<TreeEntry, Stream?>, Action<TreeEntry>, Task<LiveTree.Result>> read, string folder, SetupSource source, string? airbyteVersion,
        SecretsMode mode, IReadOnlySet<string> extraKeys, ConnectorSpecLookup? specs, CancellationToken ct)
    {
        var writer = new SetupFolderWriter(Path.Combine(folder, SetupManifest.TreeFolder), mode);
        var live = await read(writer.OpenFile, writer.OnEntry).ConfigureAwait(false);
        var (stored, references, values) = await writer.FinishAsync(live.Entries, extraKeys, specs, ct).ConfigureAwait(false);
        var manifest = new SetupManifest
        {
            AirbyteVersion = airbyteVersion,
            Source = source,
            CreatedAt = DateTimeOffset.UtcNow,
            SecretsMode = mode,
            Entries = stored.OrderBy(e => e.Path, StringComparer.Ordinal).Select(ManifestEntry.From).ToList(),
            Secrets = references,
        };
        await File.WriteAllBytesAsync(Path.Combine(folder, SetupManifest.FileName), manifest.ToJson(), ct).ConfigureAwait(false);
        return new SetupCapture(folder, live.Entries, manifest, values, live.SwapBegun && !live.Committed);
    }

    /// <summary>
    /// Removes what an interrupted export left beside <paramref name="finalPath"/> (hidden ".name.partial-*" entries).
    /// They never look like a setup, but they would pile up; an export of the same name is the one that owns them.
    /// </summary>
    public static void RemoveLeftovers(string finalPath, Action<string> log)
    {
        var removed = AtomicFile.RemoveLeftovers(finalPath);
        if (removed > 0) log($"Removed {removed} leftover partial export(s) of '{Path.GetFileName(finalPath)}' from an interrupted run.");
    }

    /// <summary>Moves the captured folder to <paramref name="destination"/> by renames (the replaced one, if any, is removed after).</summary>
    public void PublishFolder(string destination) => AtomicDirectory.Replace(Folder, destination);

    /// <summary>Writes the secrets file (0600) under a temporary name, then renames it over the old one.</summary>
    public async Task PublishSecretsAsync(string secretsFile)
    {
        if (SecretValues.Count == 0)
        {
            if (File.Exists(secretsFile)) File.Delete(secretsFile);
            return;
        }
        await AtomicFile.WriteAsync(secretsFile, partial =>
        {
            SecretVault.WriteFile(partial, SecretValues);
            return Task.CompletedTask;
        }).ConfigureAwait(false);
    }

    /// <summary>The captured bytes of <paramref name="paths"/> (tree paths of files) as the live tree holds them: secrets put back.</summary>
    public async Task<Dictionary<string, byte[]>> ReadOriginalsAsync(IReadOnlySet<string> paths, CancellationToken ct)
    {
        var references = Manifest.Secrets.ToLookup(r => r.File, StringComparer.Ordinal);
        var result = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            var stored = await File.ReadAllBytesAsync(Path.Combine(Folder, SetupManifest.TreeFolder, path), ct).ConfigureAwait(false);
            result[path] = SecretValues.TryGetValue(path, out var values) && references[path].Any()
                ? SecretVault.Reinsert(path, stored, references[path].ToList(), values)
                : stored;
        }
        return result;
    }

    public void Discard()
    {
        if (System.IO.Directory.Exists(Folder)) System.IO.Directory.Delete(Folder, recursive: true);
    }

    public static string InterruptedMessage(string volume) =>
        $"An interrupted RestoreSetup is still in volume '{volume}' (its swap did not finish); run ./build.sh RestoreSetup again to roll it back before exporting.";

    internal static void ThrowIfInterrupted(SetupCapture capture, string volume)
    {
        if (capture.RestoreInterrupted) throw new SetupException(InterruptedMessage(volume));
    }
}
