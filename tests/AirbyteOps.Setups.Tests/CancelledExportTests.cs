using System.Formats.Tar;

namespace AirbyteOps.Setups.Tests;

/// <summary>
/// Issue 12: an ExportSetup (or a RestoreSetup's safety snapshot) cancelled half-way leaves no hidden partial folder or
/// file behind (AtomicFile/AtomicDirectory's ".name.partial-*" siblings) and publishes nothing. The cancellation is
/// real: a token cancelled the moment the partial capture folder or archive appears on disk, while the engine's tar of
/// a 48 MB file is still being written into it.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class CancelledExportTests(EngineFixture fixture)
{
    private const int Large = 48 << 20;

    private static MemoryStream LargeTree()
    {
        var content = new byte[Large];
        new Random(12).NextBytes(content);
        var memory = new MemoryStream();
        using (var writer = new TarWriter(memory, TarEntryFormat.Pax, leaveOpen: true))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "config/") { Mode = (UnixFileMode)0x1ED });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "config/small.json") { DataStream = new MemoryStream("{}"u8.ToArray()), Mode = (UnixFileMode)0x1A4 });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "config/large.bin") { DataStream = new MemoryStream(content), Mode = (UnixFileMode)0x1A4 });
        }
        memory.Position = 0;
        return memory;
    }

    /// <summary>Cancels <paramref name="cts"/> once a hidden partial entry whose name starts with <paramref name="prefix"/> is in <paramref name="folder"/>.</summary>
    private static async Task<bool> CancelWhenPartialAppearsAsync(string folder, string prefix, CancellationTokenSource cts, Task operation)
    {
        while (!operation.IsCompleted)
        {
            if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder, $"{prefix}*.partial-*").Any())
            {
                await cts.CancelAsync();
                return true;
            }
            await Task.Delay(2);
        }
        return false;
    }

    private static IEnumerable<string> Partials(string root) =>
        Directory.Exists(root) ? Directory.EnumerateFileSystemEntries(root, "*.partial-*", SearchOption.AllDirectories) : [];

    [Theory]
    [InlineData(false)] // cancelled while the capture folder fills
    [InlineData(true)]  // cancelled while the archive is written
    public async Task A_cancelled_ExportSetup_leaves_no_partial_and_publishes_nothing(bool archive)
    {
        await using var d = await TestDeployment.CreateAsync(fixture.Engine, running: true);
        using (var tree = LargeTree()) await d.CopyInAsync(tree);
        using var cts = new CancellationTokenSource();
        var log = new List<string>();

        var export = new ExportSetupOperation(d.Engine).RunAsync(d.Export() with { Archive = archive }, line => { lock (log) log.Add(line); }, cts.Token);
        var cancelled = await CancelWhenPartialAppearsAsync(d.Setups, archive ? ".my-setup.tar" : ".my-setup", cts, export);

        Assert.True(cancelled, $"the export ended before its partial {(archive ? "archive" : "folder")} was seen; log: {string.Join(" | ", log)}");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => export);
        Assert.Empty(Partials(d.Artifacts));
        Assert.Empty(Directory.EnumerateFileSystemEntries(d.Setups));
    }

    [Fact]
    public async Task A_RestoreSetup_cancelled_during_its_safety_snapshot_leaves_no_partial_snapshot_and_the_volume_as_it_was()
    {
        await using var d = await TestDeployment.CreateAsync(fixture.Engine, running: true);
        await d.SeedAsync();
        await new ExportSetupOperation(d.Engine).RunAsync(d.Export(), _ => { });
        await d.DeleteAsync("config");
        using (var tree = LargeTree()) await d.CopyInAsync(tree);
        var before = await d.ListAsync(includeWorkArea: true);
        var snapshots = Path.Combine(d.Artifacts, "snapshots");
        using var cts = new CancellationTokenSource();

        var restore = new RestoreSetupOperation(d.Engine).RunAsync(d.Restore(), _ => { }, cts.Token);
        var cancelled = await CancelWhenPartialAppearsAsync(snapshots, $".{d.Volume}-", cts, restore);

        Assert.True(cancelled, "the restore ended before its partial safety snapshot was seen");
        await Assert.ThrowsAnyAsync<Exception>(() => restore);
        Assert.Empty(Partials(d.Artifacts));
        Assert.Empty(Directory.EnumerateFileSystemEntries(snapshots));
        Assert.Equal(before, await d.ListAsync(includeWorkArea: true));
    }
}
