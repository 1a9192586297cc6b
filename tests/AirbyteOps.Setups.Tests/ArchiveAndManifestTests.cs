using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using AirbyteOps.Docker;

namespace AirbyteOps.Setups.Tests;

public sealed class ArchiveAndManifestTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"abops-test-{Guid.NewGuid():N}"[..20]);

    public ArchiveAndManifestTests()
    {
        SampleTree.WriteFolder(Path.Combine(_dir, "tree", "data"), SampleTree.Items());
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("-cf", ".tar", "data")]
    [InlineData("-czf", ".tar.gz", "data")]
    [InlineData("-cjf", ".tar.bz2", "data")]
    [InlineData("-cJf", ".tar.xz", "data")]
    [InlineData("-czf", "-contents.tar.gz", ".")]
    public async Task Archives_made_by_gnu_tar_read_as_the_same_tree(string flags, string suffix, string what)
    {
        var archive = Path.Combine(_dir, "x" + suffix);
        var from = what == "." ? Path.Combine(_dir, "tree", "data") : Path.Combine(_dir, "tree");
        ChildProcess.Check("tar", "-C", from, flags, archive, what);
        var content = await SetupContent.LoadAsync(new ArchiveTreeReader(archive), null, false);
        await AssertSampleTree(content.Stored);
    }

    [Fact]
    public async Task A_zip_made_by_info_zip_reads_with_modes_and_links()
    {
        var archive = Path.Combine(_dir, "x.zip");
        var info = new ProcessStartInfo("zip") { WorkingDirectory = Path.Combine(_dir, "tree"), UseShellExecute = false, RedirectStandardOutput = true };
        foreach (var a in new[] { "-q", "-r", "--symlinks", archive, "data" }) info.ArgumentList.Add(a);
        using (var p = Process.Start(info)!) { await p.WaitForExitAsync(); Assert.Equal(0, p.ExitCode); }
        var content = await SetupContent.LoadAsync(new ArchiveTreeReader(archive), null, false);
        await AssertSampleTree(content.Stored);
    }

    [Fact]
    public async Task A_truncated_archive_is_a_one_line_corruption_error()
    {
        var archive = Path.Combine(_dir, "x.tar.gz");
        ChildProcess.Check("tar", "-C", Path.Combine(_dir, "tree"), "-czf", archive, "data");
        var bytes = File.ReadAllBytes(archive);
        File.WriteAllBytes(archive, bytes[..(bytes.Length / 2)]);
        var error = await Assert.ThrowsAsync<SetupException>(() => SetupContent.LoadAsync(new ArchiveTreeReader(archive), null, false));
        Assert.Contains("corrupt or truncated", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Not_an_archive_is_refused()
    {
        var path = Path.Combine(_dir, "notes.tar.gz");
        File.WriteAllText(path, "hello");
        Assert.Contains("not an archive", Assert.Throws<SetupException>(() => new ArchiveTreeReader(path)).Message);
    }

    [Fact]
    public void The_manifest_round_trips_and_compares_by_content()
    {
        var entries = new[]
        {
            new TreeEntry("config", EntryKind.Directory, (UnixFileMode)0x1C0, 0, 0, 0, null, null),
            new TreeEntry("config/a.json", EntryKind.File, (UnixFileMode)0x1A4, 1000, 1000, 3, "abc", null),
            new TreeEntry("config/l", EntryKind.SymbolicLink, (UnixFileMode)0x1FF, 0, 0, 0, null, "a.json"),
        };
        var manifest = new SetupManifest
        {
            AirbyteVersion = "0.7.1-alpha",
            Source = new SetupSource("container", "airbyte-server", "/data", null, "m"),
            CreatedAt = DateTimeOffset.UnixEpoch,
            SecretsMode = SecretsMode.Sidecar,
            Entries = entries.Select(ManifestEntry.From).ToList(),
            Secrets = [new SecretReference("airbyteops-secret:0123456789abcdef", "config/a.json", "/password")],
        };
        var json = manifest.ToJson();
        var text = Encoding.UTF8.GetString(json);
        Assert.Contains("\"mode\": \"0700\"", text);
        Assert.Contains("\"type\": \"symbolic-link\"", text);
        var back = SetupManifest.Parse(json, "test");
        Assert.Equal(entries, back.TreeEntries());
        Assert.True(back.SameContentAs(manifest with { CreatedAt = DateTimeOffset.UtcNow }));
        Assert.False(back.SameContentAs(manifest with { Entries = [.. manifest.Entries.Take(2)] }));
        Assert.Contains("format 9", Assert.Throws<SetupException>(() => SetupManifest.Parse(Encoding.UTF8.GetBytes(text.Replace("\"formatVersion\": 1", "\"formatVersion\": 9")), "test")).Message);
    }

    [Theory]
    [InlineData("0.7.1-alpha", "0.7.2-alpha", false)]
    [InlineData("0.7.1-alpha", "0.8.0-alpha", true)]
    [InlineData("v1.2.3", "2.2.3", true)]
    [InlineData(null, "0.8.0", false)]
    public void Version_rule_is_major_minor(string? a, string? b, bool incompatible) => Assert.Equal(incompatible, AirbyteVersion.Incompatible(a, b));

    private async Task AssertSampleTree(IReadOnlyList<TreeEntry> stored)
    {
        var expected = SampleTree.Items().ToDictionary(i => i.Path);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), stored.Select(e => e.Path).Order(StringComparer.Ordinal));
        foreach (var entry in stored)
        {
            var item = expected[entry.Path];
            if (entry.Kind != EntryKind.SymbolicLink) Assert.Equal((entry.Path, item.Mode), (entry.Path, entry.Mode));
            if (item.Target is not null) Assert.Equal(item.Target, entry.LinkTarget);
            if (item.Content is not null)
                Assert.Equal(SecretVault.Sha256Hex(Encoding.UTF8.GetBytes(item.Content)), entry.Sha256);
        }
        await Task.CompletedTask;
    }
}
