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

    [Fact]
    public async Task Files_holding_the_destination_password_are_written_0600_whatever_the_archive_says()
    {
        var tar = new TarBuilder()
            .File("normalize/profiles.yml", "normalize:\n  outputs:\n    prod:\n      pass: password\n", (UnixFileMode)0b110_100_100)
            .File("normalize/target_config.json", "{\"password\":\"password\"}", (UnixFileMode)0b111_111_111)
            .File("normalize/models/profiles.yml", "not the project's profile", (UnixFileMode)0b110_100_100)
            .File("normalize/dbt_project.yml", "name: airbyte", (UnixFileMode)0b110_100_100)
            .Build();
        var destination = Path.Combine(_dir.Path, "out");

        await SafeTarExtractor.ExtractAsync(tar, destination, "test", isPrivate: NormalizationProject.HoldsPassword);

        Assert.Equal((UnixFileMode)0b110_000_000, File.GetUnixFileMode(Path.Combine(destination, "profiles.yml")));
        Assert.Equal((UnixFileMode)0b110_000_000, File.GetUnixFileMode(Path.Combine(destination, "target_config.json")));
        Assert.Equal((UnixFileMode)0b110_100_100, File.GetUnixFileMode(Path.Combine(destination, "dbt_project.yml")));
        Assert.Equal((UnixFileMode)0b110_100_100, File.GetUnixFileMode(Path.Combine(destination, "models", "profiles.yml")));
        Assert.Equal("{\"password\":\"password\"}", await File.ReadAllTextAsync(Path.Combine(destination, "target_config.json")));
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
