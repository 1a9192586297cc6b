using System.Formats.Tar;

namespace AirbyteOps.Workspace.Tests;

/// <summary>Extraction never writes outside the destination and keeps modes.</summary>
public sealed class SafeTarExtractorTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Extracts_files_folders_modes_and_inner_links_without_the_top_folder()
    {
        var tar = new TarBuilder()
            .File("normalize/run.sh", "#!/bin/sh\n", (UnixFileMode)0b111_101_000)
            .File("normalize/models/a.sql", "select 1")
            .Symlink("normalize/link.sql", "models/a.sql")
            .Build();
        var destination = Path.Combine(_dir.Path, "out");

        var files = await SafeTarExtractor.ExtractAsync(tar, destination, "test");

        Assert.Equal(2, files);
        Assert.Equal((UnixFileMode)0b111_101_000, File.GetUnixFileMode(Path.Combine(destination, "run.sh")));
        Assert.Equal("select 1", await File.ReadAllTextAsync(Path.Combine(destination, "link.sql")));
        Assert.Equal("models/a.sql", new FileInfo(Path.Combine(destination, "link.sql")).LinkTarget);
    }

    [Theory]
    [InlineData("normalize/../../escape.txt")]
    [InlineData("/etc/escape.txt")]
    public async Task Refuses_names_that_leave_the_folder(string name)
    {
        var tar = new TarBuilder().Entry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream([1]) }).Build();

        var error = await Assert.ThrowsAsync<AirbyteOps.Trees.TreeException>(() => SafeTarExtractor.ExtractAsync(tar, Path.Combine(_dir.Path, "out"), "test"));

        Assert.StartsWith("Refusing test", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir.Path, "escape.txt")));
    }

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("../../outside")]
    public async Task Refuses_links_that_point_outside(string target)
    {
        var tar = new TarBuilder().Symlink("normalize/evil", target).Build();

        var error = await Assert.ThrowsAsync<AirbyteOps.Trees.TreeException>(() => SafeTarExtractor.ExtractAsync(tar, Path.Combine(_dir.Path, "out"), "test"));

        Assert.Contains("points outside", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refuses_devices()
    {
        var tar = new TarBuilder().Entry(new PaxTarEntry(TarEntryType.CharacterDevice, "normalize/null") { DeviceMajor = 1, DeviceMinor = 3 }).Build();

        var error = await Assert.ThrowsAsync<AirbyteOps.Trees.TreeException>(() => SafeTarExtractor.ExtractAsync(tar, Path.Combine(_dir.Path, "out"), "test"));

        Assert.Contains("CharacterDevice", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _dir.Dispose();
}
