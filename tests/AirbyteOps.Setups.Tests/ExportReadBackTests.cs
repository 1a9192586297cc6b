using AirbyteOps.Docker.Host;
using AirbyteOps.TestSupport;

namespace AirbyteOps.Setups.Tests;

/// <summary>
/// ExportSetup's read-back of what it wrote, done beside the dump (<see cref="SetupContent.HashFolderAsync"/> on the captured
/// folder before it is renamed into place) and handed to the verify (<see cref="VerifyOptions.Prehashed"/>). No engine: a
/// captured folder made from a plain folder on this machine, as the direct path captures a volume.
/// </summary>
public sealed class ExportReadBackTests
{
    private const int Files = 40;

    /// <summary>A setup captured from a fake volume root and published as &lt;dir&gt;/setups/s: its folder and secrets file.</summary>
    private static async Task<(string Folder, string Secrets)> CaptureAsync(TempDirectory dir)
    {
        var root = Path.Combine(dir.Path, "volume");
        for (var i = 0; i < Files; i++)
        {
            // A quarter are connection files, whose secrets the capture holds back (in memory, from several threads at once).
            var secret = i % 4 == 0;
            var path = Path.Combine(root, "config", secret ? "SOURCE_CONNECTION" : $"SYNTH_{i % 3}", $"{i:D8}-0000-4000-8000-000000000000.json");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, secret
                ? $"{{\"sourceId\": \"{i:D8}-0000-4000-8000-000000000000\", \"configuration\": {{\"password\": \"pw-{i}\", \"pad\": \"{new string('x', i * 311)}\"}}}}"
                : $"{{\"id\": {i}, \"pad\": \"{new string('x', i * 311)}\"}}");
        }
        var setups = Path.Combine(dir.Path, "setups");
        Directory.CreateDirectory(setups);
        var folder = Path.Combine(setups, "s");
        var capture = await SetupCapture.CaptureHostAsync(new HostVolume("v", root), "test volume", Path.Combine(setups, ".s.partial"),
            new SetupSource("volume", "v", "/data", "unix:///test", "test"), null, SecretsMode.Sidecar, new HashSet<string>(), default);
        await capture.PublishSecretsAsync(folder + ".secrets.json");
        capture.PublishFolder(folder);
        // A file's stamp vouches for the bytes read only when it changed more than FileStamp.SettledBefore's margin before the read.
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        return (folder, folder + ".secrets.json");
    }

    private static VerifyOptions Options(string folder, string secrets, Dictionary<string, FileHash>? prehashed) =>
        new() { Setup = folder, ArtifactsDirectory = Path.GetDirectoryName(Path.GetDirectoryName(folder))!, SecretsFile = secrets, Prehashed = prehashed };

    [Fact]
    public async Task The_read_back_holds_every_written_tree_file_with_the_checksum_the_manifest_records()
    {
        using var dir = new TempDirectory();
        var (folder, secrets) = await CaptureAsync(dir);

        var read = await SetupContent.HashFolderAsync(new FolderTreeReader(folder), default);

        var manifest = SetupManifest.Parse(File.ReadAllBytes(Path.Combine(folder, SetupManifest.FileName)), "test");
        var all = manifest.TreeEntries().Where(e => e.Kind == EntryKind.File).ToList();
        Assert.Equal(Files, all.Count);
        // The connection files are not in it: whoever reads the setup reads them in its walk (for their secrets).
        var files = all.Where(f => !f.Path.StartsWith("config/SOURCE_CONNECTION/", StringComparison.Ordinal)).ToList();
        Assert.Equal(Files - Files / 4, files.Count);
        Assert.Equal(files.Select(f => $"data/{f.Path}").Order(StringComparer.Ordinal), read.Keys.Order(StringComparer.Ordinal));
        foreach (var file in files) Assert.Equal((file.Sha256!, file.Size), (read[$"data/{file.Path}"].Sha256, read[$"data/{file.Path}"].Size));
        Assert.All(read.Values, hash => Assert.NotNull(hash.Stamp));
        // Every file reached the disk, the connection files with their passwords cut out (to the secrets file).
        var stored = Directory.GetFiles(Path.Combine(folder, "data"), "*.json", SearchOption.AllDirectories);
        Assert.Equal(Files, stored.Length);
        Assert.All(stored, f => Assert.DoesNotContain("pw-", File.ReadAllText(f), StringComparison.Ordinal));
        Assert.Equal(Files / 4, manifest.Secrets.Select(r => r.File).Distinct().Count());
        Assert.Equal(Files / 4, System.Text.RegularExpressions.Regex.Count(File.ReadAllText(secrets), "pw-"));
    }

    [Fact]
    public async Task The_verify_judges_the_read_back_checksums_against_the_manifest_and_refuses_one_that_differs()
    {
        using var dir = new TempDirectory();
        var (folder, secrets) = await CaptureAsync(dir);
        var read = await SetupContent.HashFolderAsync(new FolderTreeReader(folder), default);
        var (name, hash) = read.OrderBy(kv => kv.Key, StringComparer.Ordinal).First();
        read[name] = hash with { Sha256 = new string('0', hash.Sha256.Length) };

        var error = await Assert.ThrowsAsync<SetupException>(() => new VerifySetupOperation().RunAsync(Options(folder, secrets, read), _ => { }));

        Assert.Contains("does not match its manifest", error.Message, StringComparison.Ordinal);
        Assert.Contains(name["data/".Length..], error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_the_read_back_does_not_hold_is_read_and_hashed_by_the_verify_itself()
    {
        using var dir = new TempDirectory();
        var (folder, secrets) = await CaptureAsync(dir);
        var read = await SetupContent.HashFolderAsync(new FolderTreeReader(folder), default);
        var name = read.Keys.Order(StringComparer.Ordinal).First();
        read.Remove(name);
        var lines = new List<string>();

        await new VerifySetupOperation().RunAsync(Options(folder, secrets, read), lines.Add);
        Assert.Contains(lines, l => l.EndsWith("RestoreSetup would accept it as it is.", StringComparison.Ordinal));

        // The same file damaged on the disk is caught: it was hashed by the verify, not taken from the read-back.
        File.AppendAllText(Path.Combine(folder, name), " ");
        var read2 = await SetupContent.HashFolderAsync(new FolderTreeReader(folder), default);
        read2.Remove(name);
        var error = await Assert.ThrowsAsync<SetupException>(() => new VerifySetupOperation().RunAsync(Options(folder, secrets, read2), _ => { }));
        Assert.Contains("does not match its manifest", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_grown_after_the_read_back_is_hashed_by_the_verify_and_refused()
    {
        using var dir = new TempDirectory();
        var (folder, secrets) = await CaptureAsync(dir);
        var read = await SetupContent.HashFolderAsync(new FolderTreeReader(folder), default);
        var name = read.Keys.Order(StringComparer.Ordinal).First();

        // Changed on the disk after its read-back: the read-back's checksum is of the old bytes and must not be taken.
        File.AppendAllText(Path.Combine(folder, name), " ");
        var error = await Assert.ThrowsAsync<SetupException>(() => new VerifySetupOperation().RunAsync(Options(folder, secrets, read), _ => { }));

        Assert.Contains(name["data/".Length..], error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_changed_in_place_after_the_read_back_at_the_same_size_is_hashed_by_the_verify_and_refused()
    {
        using var dir = new TempDirectory();
        var (folder, secrets) = await CaptureAsync(dir);
        var read = await SetupContent.HashFolderAsync(new FolderTreeReader(folder), default);
        var name = read.Keys.Order(StringComparer.Ordinal).Last();
        var path = Path.Combine(folder, name);
        var reference = Path.Combine(dir.Path, "times");
        File.WriteAllText(reference, "");
        ChildProcess.Check("touch", "-r", path, reference);

        // Same size, same inode, even the same modification time (to the nanosecond): only the bytes and the change time differ.
        var bytes = File.ReadAllBytes(path);
        bytes[^2] = bytes[^2] == (byte)'x' ? (byte)'y' : (byte)'x';
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Write)) file.Write(bytes);
        ChildProcess.Check("touch", "-r", reference, path);
        var now = FileStamp.Now(path)!.Value;
        var error = await Assert.ThrowsAsync<SetupException>(() => new VerifySetupOperation().RunAsync(Options(folder, secrets, read), _ => { }));

        var then = read[name].Stamp!.Value;
        Assert.Equal((then.Inode, then.Size, then.MtimeSeconds, then.MtimeNanoseconds), (now.Inode, now.Size, now.MtimeSeconds, now.MtimeNanoseconds));
        Assert.Contains(name["data/".Length..], error.Message, StringComparison.Ordinal);
        Assert.Contains("does not match its manifest", error.Message, StringComparison.Ordinal);
    }
}
