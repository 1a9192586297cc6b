using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using AirbyteOps.Docker;
using AirbyteOps.Faults.Tests.Support;
using AirbyteOps.Setups;
using Xunit.Abstractions;

namespace AirbyteOps.Faults.Tests;

/// <summary>One deployment for every bad archive: each refusal must leave it exactly as it was, so they can share it.</summary>
public sealed class BadArchiveDeployment : IAsyncLifetime
{
    private readonly DockerEngine _engine = DockerEngine.Connect(DockerEngine.DefaultSocket);
    public TestDeployment Deployment { get; private set; } = null!;
    public IReadOnlyList<TreeEntry> Live { get; private set; } = [];

    public async Task InitializeAsync()
    {
        Deployment = await ConfigTree.DeployAsync(_engine, running: true, "live");
        Live = await Deployment.ListAsync(includeWorkArea: true);
    }

    public async Task DisposeAsync()
    {
        await Deployment.DisposeAsync();
        _engine.Dispose();
    }
}

/// <summary>
/// Case 4: archives that would write outside the tree, or are damaged, given to RestoreSetup. The Setups tests restore a
/// `../` traversal and an escaping relative link end to end, and unit-test names, devices and a truncated gzip on their
/// own; here every other kind goes through the whole RestoreSetup against a live volume: refused in one line, and the
/// volume, the artifacts folder and the place the entry points at are all unchanged.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class BadArchiveTests(BadArchiveDeployment shared, ITestOutputHelper output) : IClassFixture<BadArchiveDeployment>, IDisposable
{
    /// <summary>A folder outside the tree that bad entries point at; it must stay as it is.</summary>
    private readonly string Outside = Path.Combine(Path.GetTempPath(), $"abops-test-{Guid.NewGuid():N}"[..20] + "-outside");

    public void Dispose()
    {
        if (Directory.Exists(Outside)) Directory.Delete(Outside, recursive: true);
    }

    public static TheoryData<string, string> Cases => new()
    {
        { "absolute-path", "is an absolute path" },
        { "absolute-directory", "is an absolute path" },
        { "symlink-absolute", "symbolic link to the absolute path" },
        { "hardlink-out-dot-dot", "entry 'data/config/h' is a hard link out of the tree (to '../" },
        { "hardlink-out-absolute", "entry 'data/config/h' is a hard link out of the tree (to '/" },
        { "hardlink-out-of-tree", "entry 'data/config/h' is a hard link out of the tree (to 'etc/passwd')" },
        { "char-device", "is a device" },
        { "block-device", "is a device" },
        { "fifo", "is a fifo" },
        { "truncated-tar.gz", "is corrupt or truncated" },
        { "truncated-tar.xz", "is corrupt or truncated" },
        { "zip-traversal", "climbs out of the tree with '..'" },
        { "zip-symlink-escape", "escapes the tree" },
        { "zip-fifo", "is a fifo" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_bad_archive_is_refused_in_one_line_and_nothing_is_written_anywhere(string kind, string why)
    {
        var d = shared.Deployment;
        Directory.CreateDirectory(Outside);
        var target = Path.Combine(Outside, "target.json");
        await File.WriteAllTextAsync(target, "outside, must stay as it is");
        var incoming = Path.Combine(d.Artifacts, "incoming");
        Directory.CreateDirectory(incoming);
        var archive = await WriteAsync(kind, incoming);
        var artifactsBefore = TempDirectory.Listing(d.Artifacts);
        var outsideBefore = TempDirectory.Listing(Outside);

        var error = await Assert.ThrowsAnyAsync<AirbyteOps.AirbyteOpsException>(() => new RestoreSetupOperation(d.Engine).RunAsync(d.Restore(archive), _ => { }));

        output.WriteLine(error.Message);
        OneLine.Assert(error, why, "nothing was written", Path.GetFileName(archive));
        Assert.Equal(shared.Live, await d.ListAsync(includeWorkArea: true));
        Assert.Equal(artifactsBefore, TempDirectory.Listing(d.Artifacts));
        Assert.Equal(outsideBefore, TempDirectory.Listing(Outside));
        Assert.Equal("outside, must stay as it is", await File.ReadAllTextAsync(target));
        Assert.DoesNotContain(await d.Engine.Containers.ListAsync([Labels.Managed]), c => c.Name != d.Server && c.Mounts.Any(m => m.Name == d.Volume));
        File.Delete(archive);
    }

    private async Task<string> WriteAsync(string kind, string folder)
    {
        var good = ConfigTree.Items("from-archive");
        switch (kind)
        {
            case "truncated-tar.gz" or "truncated-tar.xz":
            {
                var path = Path.Combine(folder, "data." + kind["truncated-".Length..]);
                var tree = Path.Combine(folder, "tree-" + Guid.NewGuid().ToString("N")[..6]);
                Directory.CreateDirectory(tree);
                await using (var tar = ConfigTree.Tar(good, "data/"))
                    await TarFile.ExtractToDirectoryAsync(tar, tree, overwriteFiles: false);
                var flags = kind.EndsWith(".gz", StringComparison.Ordinal) ? "-czf" : "-cJf";
                var (exit, output) = await RunAsync("tar", "-C", tree, flags, path, "data");
                Assert.True(exit == 0, output);
                Directory.Delete(tree, recursive: true);
                var bytes = await File.ReadAllBytesAsync(path);
                await File.WriteAllBytesAsync(path, bytes[..(bytes.Length * 2 / 3)]);
                return path;
            }
            case "zip-traversal" or "zip-symlink-escape" or "zip-fifo":
            {
                var path = Path.Combine(folder, kind + ".zip");
                using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
                foreach (var item in good.Where(i => i.Type == TarEntryType.RegularFile))
                    await AddAsync(zip, "data/" + item.Path, 0x81A4, item.Content!);
                if (kind == "zip-traversal") await AddAsync(zip, "data/config/../../escaped.json", 0x81A4, "{}");
                if (kind == "zip-symlink-escape") await AddAsync(zip, "data/config/up", 0xA1FF, "../../..");
                if (kind == "zip-fifo") await AddAsync(zip, "data/config/pipe", 0x11A4, "");
                return path;
            }
            default:
            {
                var path = Path.Combine(folder, kind + ".tar");
                TarEntry bad = kind switch
                {
                    "absolute-path" => new PaxTarEntry(TarEntryType.RegularFile, Path.Combine(Outside, "target.json")) { DataStream = new MemoryStream("{}"u8.ToArray()) },
                    "absolute-directory" => new PaxTarEntry(TarEntryType.Directory, "/etc/"),
                    "symlink-absolute" => new PaxTarEntry(TarEntryType.SymbolicLink, "data/config/escape") { LinkName = Outside },
                    "hardlink-out-dot-dot" => new PaxTarEntry(TarEntryType.HardLink, "data/config/h") { LinkName = "../" + Path.GetFileName(Outside) + "/target.json" },
                    "hardlink-out-absolute" => new PaxTarEntry(TarEntryType.HardLink, "data/config/h") { LinkName = Path.Combine(Outside, "target.json") },
                    "hardlink-out-of-tree" => new PaxTarEntry(TarEntryType.HardLink, "data/config/h") { LinkName = "etc/passwd" },
                    "char-device" => new PaxTarEntry(TarEntryType.CharacterDevice, "data/config/null") { DeviceMajor = 1, DeviceMinor = 3 },
                    "block-device" => new PaxTarEntry(TarEntryType.BlockDevice, "data/config/disk") { DeviceMajor = 8, DeviceMinor = 0 },
                    "fifo" => new PaxTarEntry(TarEntryType.Fifo, "data/config/pipe"),
                    _ => throw new ArgumentOutOfRangeException(nameof(kind)),
                };
                await using var file = File.Create(path);
                await ConfigTree.Tar(good, "data/", [bad]).CopyToAsync(file);
                return path;
            }
        }
    }

    private static async Task AddAsync(ZipArchive zip, string name, int unixMode, string content)
    {
        var entry = zip.CreateEntry(name);
        entry.ExternalAttributes = unixMode << 16;
        await using var stream = entry.Open();
        await stream.WriteAsync(Encoding.UTF8.GetBytes(content));
    }

    private static async Task<(int Exit, string Output)> RunAsync(string program, params string[] args)
    {
        var lines = new List<string>();
        var exit = await AirbyteOps.Processes.ProcessRunner.RunAsync(program, args, lines.Add);
        return (exit, string.Join('\n', lines));
    }
}
