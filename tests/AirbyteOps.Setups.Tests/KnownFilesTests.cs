using System.Security.Cryptography;
using AirbyteOps.Docker.Host;
using AirbyteOps.TestSupport;

namespace AirbyteOps.Setups.Tests;

/// <summary>
/// The direct path's second read of files it hashed before (RestoreSetup's check of the live tree after the swap): a file
/// whose stamp (inode, size, modification and change times) is still the one the first read saw keeps that checksum unread;
/// any other is read again, including one changed to the same size with its modification time set back (its change time
/// cannot be set back); a file changed too shortly before its first read is never vouched for by its stamp.
/// </summary>
public sealed class KnownFilesTests
{
    private static string Sha(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();

    private static void Seed(string root, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var folder = Path.Combine(root, "config", $"A_{i % 3}");
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, $"file-{i:D2}.json"), $"{{\"n\": {i:D4}}}");
        }
    }

    [Fact]
    public async Task A_second_read_after_a_folder_rename_reads_only_the_file_changed_since_even_one_of_the_same_size_and_modification_time()
    {
        using var dir = new TempDirectory();
        var staging = Path.Combine(dir.Path, "staging");
        Seed(staging, 12);
        // Older than the margin by the time they are read: their stamps vouch for their bytes.
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        var known = new KnownFiles();
        var first = await HostTree.ReadHashedAsync(staging, "test", null, default, remember: known);

        // What the swap does (a rename of the folder above), then a same-size change with the modification time put back.
        var live = Path.Combine(dir.Path, "live");
        Directory.Move(staging, live);
        var victim = Path.Combine(live, "config", "A_1", "file-04.json");
        // The modification time kept to the nanosecond (touch -r): only the bytes and the change time differ.
        var reference = Path.Combine(dir.Path, "times");
        File.WriteAllText(reference, "");
        ChildProcess.Check("touch", "-r", victim, reference);
        File.WriteAllText(victim, "{\"n\": 9999}");
        ChildProcess.Check("touch", "-r", reference, victim);
        var second = await HostTree.ReadHashedAsync(live, "test", null, default, known: known);

        Assert.Equal(1, known.ReadLast); // one read again, eleven taken from the first read
        Assert.Equal(Sha("{\"n\": 9999}"u8.ToArray()), second.Single(e => e.Path == "config/A_1/file-04.json").Sha256);
        Assert.NotEqual(first.Single(e => e.Path == "config/A_1/file-04.json").Sha256, second.Single(e => e.Path == "config/A_1/file-04.json").Sha256);
        foreach (var entry in second.Where(e => e.Kind == EntryKind.File && e.Path != "config/A_1/file-04.json"))
            Assert.Equal(Sha(File.ReadAllBytes(Path.Combine(live, entry.Path))), entry.Sha256);
        Assert.Equal(first.Select(e => e.Path), second.Select(e => e.Path));
    }

    [Fact]
    public void A_stamp_changed_within_the_margin_before_a_read_does_not_vouch_for_the_bytes_it_read()
    {
        var read = new DateTime(2026, 12, 2, 12, 0, 0, DateTimeKind.Utc);
        FileStamp Changed(DateTime at, bool wholeSeconds = false)
        {
            var since = at - DateTime.UnixEpoch;
            var seconds = since.Ticks / TimeSpan.TicksPerSecond;
            var nanoseconds = wholeSeconds ? 0u : (uint)(since.Ticks % TimeSpan.TicksPerSecond * 100) + 1;
            return new FileStamp(1, 2, 3, seconds, nanoseconds, seconds, nanoseconds);
        }

        Assert.True(Changed(read.AddMilliseconds(-150)).SettledBefore(read));
        Assert.False(Changed(read.AddMilliseconds(-50)).SettledBefore(read));
        Assert.False(Changed(read).SettledBefore(read));
        Assert.False(Changed(read.AddSeconds(1)).SettledBefore(read));
        // A file system that keeps whole seconds: a change a second before the read may share the stamp's second.
        Assert.False(Changed(read.AddSeconds(-1), wholeSeconds: true).SettledBefore(read));
        Assert.True(Changed(read.AddSeconds(-3), wholeSeconds: true).SettledBefore(read));
    }
}
