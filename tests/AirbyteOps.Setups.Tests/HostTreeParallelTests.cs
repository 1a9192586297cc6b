using System.Collections.Concurrent;
using System.Security.Cryptography;
using AirbyteOps.Docker.Host;
using AirbyteOps.Progress;
using AirbyteOps.TestSupport;

namespace AirbyteOps.Setups.Tests;

/// <summary>
/// The direct path's file work done several files at a time (Hashing.FilesInFlight): the volume read of ExportSetup and
/// of the safety snapshot (LiveTree.ReadHostAsync), the staging write of RestoreSetup (HostTreeSink.WriteFromFolderAsync)
/// and the checksum pass over a setup folder (SetupContent.LoadAsync). No engine: plain folders on this machine, with
/// more files than are in flight, sizes across the copy buffer (0 B to 300 KB), hard and symbolic links.
/// </summary>
public sealed class HostTreeParallelTests
{
    private static readonly int FileCount = Hashing.FilesInFlight * 6;

    private static string Sha(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();

    private static byte[] Bytes(int i) => Enumerable.Range(0, i % 7 == 0 ? 300_000 + i : i * 997).Select(b => (byte)(b * 31 + i)).ToArray();

    /// <summary>config/A_*/file-NN.json with the bytes of <see cref="Bytes"/>, a hard link, a symbolic link, and a restore work area.</summary>
    private static void Seed(string root)
    {
        for (var i = 0; i < FileCount; i++)
        {
            var folder = Path.Combine(root, "config", $"A_{i % 3}");
            Directory.CreateDirectory(folder);
            File.WriteAllBytes(Path.Combine(folder, $"file-{i:D2}.json"), Bytes(i));
        }
        UnixFiles.HardLink(Path.Combine(root, "config", "A_1", "file-01.json"), Path.Combine(root, "config", "A_2", "linked.json"));
        File.CreateSymbolicLink(Path.Combine(root, "config", "latest"), "A_0/file-00.json");
        Directory.CreateDirectory(Path.Combine(root, LiveTree.WorkDirectory, "staging"));
        File.WriteAllText(Path.Combine(root, LiveTree.WorkDirectory, "staging", "x.json"), "{}");
    }

    [Fact]
    public async Task The_host_read_gives_every_entry_in_walk_order_with_the_checksum_and_bytes_of_the_file_on_disk()
    {
        using var dir = new TempDirectory();
        Seed(dir.Path);
        var given = new ConcurrentDictionary<string, MemoryStream>(StringComparer.Ordinal);
        var reported = new List<string>();

        var result = await LiveTree.ReadHostAsync(dir.Path, "test folder",
            entry => given[entry.Path] = new MemoryStream(),
            entry => reported.Add(entry.Path),
            progress: new ProgressReporter("reading", null, null, _ => { }));

        var walked = HostTree.Walk(dir.Path, "test folder", "", LiveTree.WorkDirectory, default).Select(w => w.Relative).ToList();
        Assert.Equal(walked, result.Entries.Select(e => e.Path).ToList());
        Assert.Equal(walked.Order(StringComparer.Ordinal), reported.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(result.Entries, e => e.Path.StartsWith(LiveTree.WorkDirectory, StringComparison.Ordinal));
        Assert.True(result.HasWorkArea);
        Assert.False(result.SwapBegun);

        var files = result.Entries.Where(e => e.Kind == EntryKind.File).ToList();
        Assert.Equal(FileCount, files.Count);
        foreach (var file in files)
        {
            var onDisk = File.ReadAllBytes(Path.Combine(dir.Path, file.Path));
            Assert.Equal(Sha(onDisk), file.Sha256);
            Assert.Equal(onDisk.LongLength, file.Size);
            Assert.Equal(onDisk, given[file.Path].ToArray());
        }
        // The second name of the linked file is a hard link to the first name the walk met, as the engine's tar says it.
        var link = Assert.Single(result.Entries, e => e.Kind == EntryKind.HardLink);
        Assert.Equal(("config/A_2/linked.json", "config/A_1/file-01.json"), (link.Path, link.LinkTarget));
        Assert.DoesNotContain("config/A_2/linked.json", given.Keys);
        Assert.Equal("A_0/file-00.json", Assert.Single(result.Entries, e => e.Kind == EntryKind.SymbolicLink).LinkTarget);
    }

    [Fact]
    public async Task A_failure_reading_one_file_is_the_error_thrown_and_no_file_is_left_open()
    {
        using var dir = new TempDirectory();
        Seed(dir.Path);
        var copies = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), TestNames.Prefix + TestNames.Id(12))).FullName;
        var opened = new ConcurrentBag<FileStream>();
        var victim = "config/A_2/file-05.json";

        var error = await Assert.ThrowsAsync<IOException>(() => LiveTree.ReadHostAsync(dir.Path, "test folder", entry =>
        {
            if (entry.Path == victim) throw new IOException($"disk gone under {entry.Path}");
            var stream = new FileStream(Path.Combine(copies, entry.Path.Replace('/', '_')), FileMode.CreateNew);
            opened.Add(stream);
            return stream;
        }));

        Assert.Equal($"disk gone under {victim}", error.Message);
        Assert.NotEmpty(opened);
        // Every destination that was opened was closed by the reader (writing to it again fails).
        Assert.All(opened, s => Assert.False(s.CanWrite));
        Directory.Delete(copies, recursive: true);
    }

    /// <summary>
    /// Between the walk and the read, a listed file is replaced: by a symbolic link to a file of the same size outside the
    /// folder, its folder by a link to an outside folder holding a file of that name and size, by another file renamed over
    /// it (same size), by a fifo. Each read is refused as a changed tree naming the file,
    /// and no byte of the outside file is handed out; before, the links were followed and the outside file read as the listed one.
    /// </summary>
    [Theory]
    [InlineData("link", "was replaced by a symbolic link after it was listed")]
    [InlineData("folder-link", "was replaced after it was listed")]
    [InlineData("renamed", "was replaced after it was listed")]
    [InlineData("fifo", "was replaced after it was listed")]
    public async Task A_listed_file_replaced_after_the_walk_is_refused_and_nothing_outside_the_folder_is_read(string how, string said)
    {
        using var dir = new TempDirectory();
        using var outside = new TempDirectory();
        var victim = Path.Combine(dir.Path, "config", "A", "x.json");
        Directory.CreateDirectory(Path.GetDirectoryName(victim)!);
        File.WriteAllText(victim, "{\"listed\": 1}");
        var secret = Path.Combine(outside.Path, "secret");
        File.WriteAllText(secret, "{\"SECRET\": 2}");   // the same length as the listed file
        var handed = new ConcurrentBag<MemoryStream>();

        var error = await Assert.ThrowsAsync<SetupException>(() => LiveTree.ReadHostAsync(dir.Path, "test folder",
            entry => { var m = new MemoryStream(); handed.Add(m); return m; },
            afterWalk: async _ =>
            {
                if (how == "renamed") { File.Copy(secret, victim + ".new"); File.Move(victim + ".new", victim, overwrite: true); return; }
                if (how == "folder-link")
                {
                    // The listed file's folder moved away and a link to a folder outside put in its place, holding an x.json.
                    Directory.Move(Path.GetDirectoryName(victim)!, Path.GetDirectoryName(victim) + ".old");
                    File.Copy(secret, Path.Combine(outside.Path, "x.json"));
                    Directory.CreateSymbolicLink(Path.GetDirectoryName(victim)!, outside.Path);
                    return;
                }
                File.Delete(victim);
                if (how == "link") File.CreateSymbolicLink(victim, secret);
                else
                {
                    using var mkfifo = System.Diagnostics.Process.Start("mkfifo", [victim]);
                    await mkfifo.WaitForExitAsync();
                    Assert.Equal(0, mkfifo.ExitCode);
                }
            }));

        Assert.Contains("test folder changed while it was being read: 'config/A/x.json' " + said, error.Message, StringComparison.Ordinal);
        Assert.All(handed, m => Assert.DoesNotContain("SECRET", System.Text.Encoding.UTF8.GetString(m.ToArray()), StringComparison.Ordinal));
    }

    /// <summary>A setup folder's tree (data/...) and the TreeEntry list a manifest would give for it.</summary>
    private static (string Source, List<TreeEntry> Tree) SetupTree(string root, int uid, int gid)
    {
        var source = Path.Combine(root, "setup", "data");
        var tree = new List<TreeEntry>
        {
            new("config", EntryKind.Directory, (UnixFileMode)0x1E8, uid, gid, 0, null, null),          // 0750
            new("config/RO", EntryKind.Directory, UnixFiles.IsRoot ? (UnixFileMode)0x16D : (UnixFileMode)0x1ED, uid, gid, 0, null, null), // 0555 (root writes in it anyway)
        };
        for (var i = 0; i < FileCount; i++)
        {
            var path = i % 4 == 0 ? $"config/RO/file-{i:D2}.json" : $"config/file-{i:D2}.json";
            var bytes = Bytes(i);
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(source, path))!);
            File.WriteAllBytes(Path.Combine(source, path), bytes);
            var mode = i == 3 ? (UnixFileMode)0x9ED : (UnixFileMode)0x1A0;                            // 4755 (set-uid), else 0640
            tree.Add(new TreeEntry(path, EntryKind.File, mode, uid, gid, bytes.LongLength, Sha(bytes), null));
        }
        tree.Add(new TreeEntry("config/link", EntryKind.SymbolicLink, (UnixFileMode)0x1FF, uid, gid, 0, null, "file-01.json"));
        tree.Add(new TreeEntry("config/hard", EntryKind.HardLink, (UnixFileMode)0x1A0, uid, gid, 0, null, "config/file-02.json"));
        return (source, tree.OrderBy(e => e.Path, StringComparer.Ordinal).ToList());
    }

    [Fact]
    public async Task A_setup_folder_is_written_whole_with_owners_modes_set_id_links_and_the_secrets_put_back()
    {
        using var dir = new TempDirectory();
        var self = UnixFiles.LStat(dir.Path);
        var (uid, gid) = UnixFiles.IsRoot ? (1234, 5678) : (self.Uid, self.Gid);
        var (source, tree) = SetupTree(dir.Path, uid, gid);
        var secret = "{\"password\": \"put back\"}"u8.ToArray();
        var replacements = new Dictionary<string, byte[]> { ["config/file-05.json"] = secret };
        var target = Directory.CreateDirectory(Path.Combine(dir.Path, "staging")).FullName;
        var progress = new ProgressReporter("writing", null, null, _ => { });

        await new HostTreeSink(target).WriteFromFolderAsync(tree, source, replacements, "setup folder 'test'", progress, default);

        foreach (var entry in tree)
        {
            var full = Path.Combine(target, entry.Path);
            var stat = UnixFiles.LStat(full);
            Assert.Equal((uid, gid), (stat.Uid, stat.Gid));
            switch (entry.Kind)
            {
                case EntryKind.Directory:
                    Assert.Equal(UnixStat.Directory, stat.Type);
                    Assert.Equal(entry.Mode, stat.Mode);
                    break;
                case EntryKind.SymbolicLink:
                    Assert.Equal(entry.LinkTarget, new FileInfo(full).LinkTarget);
                    break;
                case EntryKind.HardLink:
                    Assert.Equal(UnixFiles.LStat(Path.Combine(target, entry.LinkTarget!)).Inode, stat.Inode);
                    break;
                default:
                    Assert.Equal(entry.Mode, stat.Mode);
                    Assert.Equal(replacements.TryGetValue(entry.Path, out var given) ? given : File.ReadAllBytes(Path.Combine(source, entry.Path)), File.ReadAllBytes(full));
                    break;
            }
        }
        Assert.Equal(FileCount, progress.Files);
        Assert.Equal((UnixFileMode)0x9ED, UnixFiles.LStat(Path.Combine(target, "config/file-03.json")).Mode);
    }

    [Fact]
    public async Task A_setup_file_that_changed_or_went_since_it_was_checked_stops_the_write_naming_it()
    {
        using var dir = new TempDirectory();
        var self = UnixFiles.LStat(dir.Path);
        var (source, tree) = SetupTree(dir.Path, self.Uid, self.Gid);
        File.AppendAllText(Path.Combine(source, "config/file-06.json"), "grown");
        var progress = new ProgressReporter("writing", null, null, _ => { });

        var grown = await Assert.ThrowsAsync<SetupException>(() => new HostTreeSink(Directory.CreateDirectory(Path.Combine(dir.Path, "a")).FullName)
            .WriteFromFolderAsync(tree, source, new Dictionary<string, byte[]>(), "setup folder 'test'", progress, default));
        Assert.Equal($"Setup file 'config/file-06.json' gave {Bytes(6).Length + 5} bytes while being written and its manifest says {Bytes(6).Length}; it changed since it was checked. Nothing live was touched.", grown.Message);

        File.Delete(Path.Combine(source, "config/file-06.json"));
        var gone = await Assert.ThrowsAsync<SetupException>(() => new HostTreeSink(Directory.CreateDirectory(Path.Combine(dir.Path, "b")).FullName)
            .WriteFromFolderAsync(tree, source, new Dictionary<string, byte[]>(), "setup folder 'test'", progress, default));
        Assert.StartsWith("Setup file 'config/file-06.json' of the setup folder 'test' could not be read while being written (", gone.Message, StringComparison.Ordinal);
        Assert.EndsWith("it changed since it was checked. Nothing live was touched.", gone.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_checksum_pass_over_a_setup_folder_gives_every_file_s_own_checksum_and_size()
    {
        using var dir = new TempDirectory();
        var root = Path.Combine(dir.Path, "copy");
        for (var i = 0; i < FileCount; i++)
        {
            var path = Path.Combine(root, "config", $"T_{i % 3}", $"f-{i:D2}.json");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, Bytes(i));
        }
        var progress = new ProgressReporter("checking", null, null, _ => { });
        // Written longer ago than FileStamp.SettledBefore's margin, as a setup is: the walk takes the checksum pass's checksums.
        await Task.Delay(TimeSpan.FromMilliseconds(300));

        var content = await SetupContent.LoadAsync(new FolderTreeReader(root), null, false, default, progress);

        var files = content.Stored.Where(e => e.Kind == EntryKind.File).ToList();
        Assert.Equal(FileCount, files.Count);
        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(Path.Combine(root, file.Path));
            Assert.Equal((Sha(bytes), bytes.LongLength), (file.Sha256, file.Size));
        }
        Assert.Equal(FileCount, progress.Files);
    }

    [Fact]
    public void A_new_host_file_never_writes_over_a_name_and_gets_its_exact_mode_on_its_descriptor()
    {
        if (!HostFile.Supported) return;
        using var dir = new TempDirectory();
        var existing = Path.Combine(dir.Path, "existing.json");
        File.WriteAllText(existing, "kept");
        var outside = Path.Combine(dir.Path, "outside.json");
        var link = Path.Combine(dir.Path, "link.json");
        File.CreateSymbolicLink(link, outside);

        Assert.Throws<IOException>(() => HostFile.CreateNew(existing));
        Assert.Equal("kept", File.ReadAllText(existing));
        // A symbolic link in the new file's place is not followed: nothing is created where it points.
        Assert.Throws<IOException>(() => HostFile.CreateNew(link));
        Assert.False(File.Exists(outside));

        var written = Path.Combine(dir.Path, "new.json");
        using (var file = HostFile.CreateNew(written, (UnixFileMode)0x9ED)) // 4755: set-uid kept, whatever the umask
        {
            Assert.Equal(UnixModes.Private, UnixFiles.LStat(written).Mode);  // private from its first byte
            file.Write("{}"u8);
            Assert.Equal(2, file.Transferred);
        }
        Assert.Equal((UnixFileMode)0x9ED, UnixFiles.LStat(written).Mode);
        Assert.Equal("{}", File.ReadAllText(written));

        Assert.Throws<FileNotFoundException>(() => HostFile.OpenRead(Path.Combine(dir.Path, "missing.json")));
        Assert.Throws<DirectoryNotFoundException>(() => HostFile.OpenRead(Path.Combine(dir.Path, "no-folder", "missing.json")));
        using var read = HostFile.OpenRead(written);
        var buffer = new byte[16];
        Assert.Equal(2, read.Read(buffer));
        Assert.Equal(0, read.Read(buffer));
    }

    [Fact]
    public async Task Files_in_flight_end_before_the_first_failure_or_the_caller_s_cancellation_is_reported()
    {
        var running = 0;
        var started = 0;
        void Body(int item, CancellationToken token)
        {
            Interlocked.Increment(ref started);
            Interlocked.Increment(ref running);
            try
            {
                if (item == 3) throw new InvalidOperationException("item 3 failed");
                // The others take a while and stop at the next check once told to.
                for (var i = 0; i < 20; i++)
                {
                    token.ThrowIfCancellationRequested();
                    Thread.Sleep(10);
                }
            }
            finally
            {
                Interlocked.Decrement(ref running);
            }
        }

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => Hashing.ForEachFileAsync(Enumerable.Range(0, 1000), Body, default));
        Assert.Equal("item 3 failed", failure.Message);
        Assert.Equal(0, Volatile.Read(ref running));
        Assert.True(started < 1000, $"{started} bodies started: the failure did not stop the rest");

        using var cancel = new CancellationTokenSource(50);
        started = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Hashing.ForEachFileAsync(Enumerable.Range(0, 1000), (i, t) => Body(i + 4, t), cancel.Token));
        Assert.Equal(0, Volatile.Read(ref running));
        Assert.True(started < 1000, $"{started} bodies started after the cancellation");
    }

    [Fact]
    public void Files_are_taken_folder_by_folder_in_turn_so_files_created_together_are_in_different_folders()
    {
        static TreeEntry File(string path) => new(path, EntryKind.File, (UnixFileMode)0x180, 0, 0, 1, "x", null);
        var tree = new[]
        {
            File("config/A/1.json"), File("config/A/2.json"), File("config/A/3.json"),
            File("config/B/1.json"), File("config/B/2.json"),
            File("top.json"),
            File("config/C/1.json"),
        };

        var order = Hashing.FoldersInTurn(tree, e => e.Path).Select(e => e.Path).ToList();

        Assert.Equal(["config/A/1.json", "config/B/1.json", "top.json", "config/C/1.json", "config/A/2.json", "config/B/2.json", "config/A/3.json"], order);
        Assert.Equal(tree.Select(e => e.Path).Order(StringComparer.Ordinal), order.Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// The host read creates its files from several threads at once: behind one lock, the export's tree read was 0.7 s
    /// longer at 10,000 files (the order they are taken in, folder by folder in turn, is the test above's).
    /// </summary>
    [Fact]
    public async Task The_host_read_opens_several_files_at_once()
    {
        using var dir = new TempDirectory();
        Seed(dir.Path);
        var now = 0;
        var most = 0;

        await LiveTree.ReadHostAsync(dir.Path, "test folder", entry =>
        {
            var inside = Interlocked.Increment(ref now);
            int seen;
            while (inside > (seen = Volatile.Read(ref most)) && Interlocked.CompareExchange(ref most, inside, seen) != seen) { }
            Thread.Sleep(30);
            Interlocked.Decrement(ref now);
            return new MemoryStream();
        });

        Assert.True(most >= 2, $"at most {most} file(s) were opened at once");
    }
}
