using AirbyteOps.Setups;
using AirbyteOps.Setups.Export;
using AirbyteOps.Setups.Trees;
using AirbyteOps.TestSupport;

namespace AirbyteOps.Faults.Tests.Support;

/// <summary>
/// What an ExportSetup of 'my-setup' killed mid-way must leave, whichever data path it took: the setup saved before it byte
/// for byte, beside it only a hidden partial folder that nothing reads as a setup, the live tree unchanged; and the next
/// export of that name completes, clears the leftover and says so.
/// </summary>
public static class KilledExport
{
    public const string PartialPrefix = ".my-setup.partial-";

    /// <summary>Every file under the folder with its bytes (hex) and mode, every folder and link by name: to compare byte for byte.</summary>
    public static async Task<Dictionary<string, string>> SnapshotFolderAsync(string folder)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in TempDirectory.Listing(folder))
        {
            var full = Path.Combine(folder, path);
            var info = new FileInfo(full);
            result[path] = info.LinkTarget is { } target ? "link " + target
                : Directory.Exists(full) ? "dir"
                : Convert.ToHexString(await File.ReadAllBytesAsync(full)) + " " + File.GetUnixFileMode(full);
        }
        return result;
    }

    /// <summary>
    /// Asserts what the killed export left (<paramref name="oldSetup"/>: <see cref="SnapshotFolderAsync"/> of the setups folder
    /// before it; <paramref name="live"/>: the live tree before it), then runs the next export (--overwrite) and asserts it
    /// completed with the live tree's newest config (<c>STANDARD_SYNC/new.json</c>) and cleared the partial.
    /// </summary>
    public static async Task AssertOldSetupKeptAndNextExportCompletesAsync(TestDeployment d, Dictionary<string, string> oldSetup,
        IReadOnlyList<TreeEntry> live, List<string> log)
    {
        var after = await SnapshotFolderAsync(d.Setups);
        Assert.Contains(after.Keys, p => p.StartsWith(PartialPrefix, StringComparison.Ordinal));
        Assert.Equal(oldSetup, after.Where(kv => !kv.Key.StartsWith(PartialPrefix, StringComparison.Ordinal)).ToDictionary());
        Assert.Equal(live, await d.ListAsync(includeWorkArea: true));

        var next = await new ExportSetupOperation(d.Engine).RunAsync(d.Export() with { Overwrite = true }, log.Add);
        Assert.False(next.UpToDate);
        Assert.True(File.Exists(Path.Combine(d.Setups, "my-setup", "data/config/STANDARD_SYNC/new.json")));
        Assert.DoesNotContain(TempDirectory.Listing(d.Setups), p => p.StartsWith(PartialPrefix, StringComparison.Ordinal));
        Assert.Contains(log, l => l.Contains("leftover partial export", StringComparison.Ordinal));
    }
}
