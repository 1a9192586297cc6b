using System.Formats.Tar;
using AirbyteOps.Docker;

namespace AirbyteOps.Setups.Tests;

/// <summary>
/// RestoreSetup's read-back where the data is (InPlaceTree: find/stat/sha256sum in the running server, or in a helper
/// container when the server is stopped) sees exactly what the archive endpoint's tar shows of the same volume, and a
/// changed byte shows as a changed file. Its parser refuses (null: the caller reads the tar) anything it cannot read whole.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class InPlaceTreeTests(EngineFixture fixture)
{
    private static IReadOnlyList<SampleTree.Item> Items() =>
    [
        .. SampleTree.Items(),
        new("config/STANDARD_SYNC/hard.json", TarEntryType.HardLink, (UnixFileMode)0x1A4, 0, null, "config/STANDARD_WORKSPACE/5ae6b09b-fdec-41af-aaf7-7d94cfc33ef6.json"),
        new("config/STANDARD_SYNC/a name with spaces and é.json", TarEntryType.RegularFile, (UnixFileMode)0x1A0, 1000, "{\"x\": 1}"),
        new(".airbyteops-restore", TarEntryType.Directory, (UnixFileMode)0x1C0),
        new(".airbyteops-restore/staging", TarEntryType.Directory, (UnixFileMode)0x1C0),
        new(".airbyteops-restore/staging/left.json", TarEntryType.RegularFile, (UnixFileMode)0x180, 0, "{}"),
    ];

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Reads_the_tree_the_archive_endpoint_shows_and_sees_a_changed_byte(bool serverRunning)
    {
        await using var d = await TestDeployment.CreateAsync(fixture.Engine, running: serverRunning);
        await d.SeedAsync(Items());
        var deployment = await Deployment.LocateAsync(d.Engine, d.Server, d.Volume, TestDeployment.ConfigRoot, default);
        Assert.Equal(serverRunning, deployment.ServerRunning);
        var viaTar = await ViaTarAsync(d, "");
        Assert.Contains(viaTar, e => e.Kind == EntryKind.HardLink);

        var inPlace = await InPlaceTree.ReadAsync(d.Engine, deployment, "", viaTar, TestImages.Busybox, TimeSpan.FromMinutes(1), default);

        Assert.NotNull(inPlace);
        Assert.True(TreeDiff.Compare(LiveTree.Canonical(viaTar), LiveTree.Canonical(inPlace)).IsEmpty,
            TreeDiff.Compare(LiveTree.Canonical(viaTar), LiveTree.Canonical(inPlace)).Summary());
        Assert.DoesNotContain(inPlace, e => e.Path.StartsWith(".airbyteops-restore", StringComparison.Ordinal));
        var staging = await InPlaceTree.ReadAsync(d.Engine, deployment, ".airbyteops-restore/staging", viaTar, TestImages.Busybox, TimeSpan.FromMinutes(1), default);
        Assert.Equal(["left.json"], staging!.Select(e => e.Path));

        // One byte changed, same size and mode: only the checksum can tell.
        var changed = SampleTree.Items().Select(i => i.Content == SampleTree.SourceJson ? i with { Content = SampleTree.SourceJson.Replace('a', 'b') } : i).ToList();
        await d.SeedAsync(changed);
        var after = await InPlaceTree.ReadAsync(d.Engine, deployment, "", viaTar, TestImages.Busybox, TimeSpan.FromMinutes(1), default);
        var diff = TreeDiff.Compare(LiveTree.Canonical(viaTar), LiveTree.Canonical(after!));
        Assert.Equal([$"config/SOURCE_CONNECTION/{SampleTree.SourceId}.json"], diff.Changed);
    }

    [Fact]
    public void The_parser_refuses_what_it_cannot_read_whole()
    {
        const string m = "--end--";
        var sha = new string('a', 64);
        var good = $"81a4 0 0 2 ./f.json\n41ed 0 0 4096 ./d\na1ff 0 0 1 ./l\n{m}\n{sha}  ./f.json\n{m}\n./l\nd\n";
        var tree = InPlaceTree.Parse(good, m)!;
        Assert.Equal([("f.json", EntryKind.File, 2L, sha), ("d", EntryKind.Directory, 0L, null), ("l", EntryKind.SymbolicLink, 0L, null)],
            tree.Select(e => (e.Path, e.Kind, e.Size, e.Sha256)));
        Assert.Equal("d", tree[2].LinkTarget);
        Assert.Equal((UnixFileMode)0x1A4, tree[0].Mode);

        Assert.Null(InPlaceTree.Parse(good.Replace($"{sha}  ./f.json\n", ""), m));            // a file without its checksum
        Assert.Null(InPlaceTree.Parse(good.Replace("./l\nd\n", ""), m));                       // a link without its target
        Assert.Null(InPlaceTree.Parse(good.Replace("./d\n", "./d\nsecond line of a name\n"), m)); // a name cut by a newline
        Assert.Null(InPlaceTree.Parse(good.Replace("41ed", "11ed"), m));                        // a fifo: the tar reader decides
        Assert.Null(InPlaceTree.Parse(good[..good.IndexOf(m, StringComparison.Ordinal)], m));   // cut short
    }

    private static async Task<IReadOnlyList<TreeEntry>> ViaTarAsync(TestDeployment d, string relative)
    {
        await using var volume = await d.Engine.Volumes.OpenAsync(d.Volume, TestImages.Busybox, readOnly: true);
        await using var tar = await volume.CopyOutAsync(relative);
        return (await LiveTree.ReadAsync(tar, "test")).Entries;
    }
}
