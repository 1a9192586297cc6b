using AirbyteOps.Docker;

namespace AirbyteOps.Setups;

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
    public static async Task<SetupCapture> CaptureAsync(Stream tar, string where, string folder, SetupSource source, string? airbyteVersion,
        SecretsMode mode, IReadOnlySet<string> extraKeys, CancellationToken ct)
    {
        var writer = new SetupFolderWriter(Path.Combine(folder, SetupManifest.TreeFolder), mode);
        var live = await LiveTree.ReadAsync(tar, where, writer.OpenFile, writer.OnEntry, ct).ConfigureAwait(false);
        var (stored, references, values) = writer.Finish(live.Entries, extraKeys);
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

    /// <summary>A sibling name for work in progress: hidden, and plainly not a setup, so a crash leaves nothing that looks complete.</summary>
    /// <summary>
    /// Removes what an interrupted export left beside <paramref name="finalPath"/> (hidden ".name.partial-*" entries).
    /// They never look like a setup, but they would pile up; an export of the same name is the one that owns them.
    /// </summary>
    public static void RemoveLeftovers(string finalPath, Action<string> log)
    {
        var directory = Path.GetDirectoryName(finalPath)!;
        if (!System.IO.Directory.Exists(directory)) return;
        var removed = 0;
        foreach (var entry in System.IO.Directory.EnumerateFileSystemEntries(directory, $".{Path.GetFileName(finalPath)}.partial-*"))
        {
            if (System.IO.Directory.Exists(entry)) System.IO.Directory.Delete(entry, recursive: true);
            else File.Delete(entry);
            removed++;
        }
        if (removed > 0) log($"Removed {removed} leftover partial export(s) of '{Path.GetFileName(finalPath)}' from an interrupted run.");
    }

    public static string PartialPath(string finalPath) =>
        Path.Combine(Path.GetDirectoryName(finalPath)!, $".{Path.GetFileName(finalPath)}.partial-{Guid.NewGuid():N}"[..^24]);

    /// <summary>Moves the captured folder to <paramref name="destination"/> with one rename (the replaced one, if any, is removed after).</summary>
    public void PublishFolder(string destination)
    {
        if (System.IO.Directory.Exists(destination))
        {
            var replaced = Path.Combine(Path.GetDirectoryName(destination)!, $".{Path.GetFileName(destination)}.replaced-{Guid.NewGuid():N}"[..^24]);
            System.IO.Directory.Move(destination, replaced);
            System.IO.Directory.Move(Folder, destination);
            System.IO.Directory.Delete(replaced, recursive: true);
            return;
        }
        System.IO.Directory.Move(Folder, destination);
    }

    /// <summary>Writes the secrets file (0600) under a temporary name, then renames it over the old one.</summary>
    public void PublishSecrets(string secretsFile)
    {
        if (SecretValues.Count == 0)
        {
            if (File.Exists(secretsFile)) File.Delete(secretsFile);
            return;
        }
        var partial = PartialPath(secretsFile);
        SecretVault.WriteFile(partial, SecretValues);
        File.Move(partial, secretsFile, overwrite: true);
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
