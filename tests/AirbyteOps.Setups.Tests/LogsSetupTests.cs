using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using AirbyteOps.Docker;

namespace AirbyteOps.Setups.Tests;

/// <summary>
/// Issue 11, --include logs: the job logs of the attempts the database holds travel with the setup (a checksum per file in
/// the manifest), a secret a log quotes is in no shareable byte (replaced by placeholders, the values in the sidecar),
/// and RestoreSetup puts the logs back byte for byte into the workspace volume, replacing job folders of the same
/// number and leaving the others. Real engine, real Postgres.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class LogsSetupTests(EngineFixture fixture)
{
    private readonly List<string> _log = [];
    private static readonly string Marker = Guid.NewGuid().ToString("N")[..10];
    private static readonly string Password = $"log-pw-{Marker}";

    private static string JobConfig() =>
        "{\"configType\":\"sync\",\"sync\":{\"sourceConnectionImplementation\":{\"configuration\":{\"host\":\"db.example\",\"password\":\"" + Password + "\"}}}}";

    [Fact]
    public async Task Job_logs_travel_with_include_logs_with_no_secret_in_a_shareable_byte_and_come_back_byte_for_byte()
    {
        await using var s = await LogsStack.CreateAsync(fixture.Engine);
        var (d, db, workspace) = (s.Deployment, s.Database, s.Workspace);
        var first = await db.InsertSyncJobAsync("c1", JobConfig(), "{\"sync\":{\"state\":{\"cursor\":1}}}");
        var second = await db.InsertSyncJobAsync("c1", JobConfig(), "{\"sync\":{\"state\":{\"cursor\":2}}}");
        // The source connector quoted its configuration (twice) in the first log; the second has no final newline.
        var logs = new Dictionary<string, string>
        {
            [$"{first}/0/logs.log"] = $"2020-11-01 INFO starting\n2020-11-01 DEBUG config {{\"host\": \"db.example\", \"password\": \"{Password}\"}}\nretry with {Password}\n",
            [$"{second}/0/logs.log"] = "2020-11-02 INFO completed, no newline at the end",
        };
        await WriteAsync(workspace, new Dictionary<string, string>(logs)
        {
            [$"{first}/0/tap_config.json"] = $"{{\"password\": \"{Password}\"}}", // not a log: never taken
            ["99/0/logs.log"] = "an attempt the database does not hold",
        });

        var options = s.Export() with { Archive = true };
        var export = await new ExportSetupOperation(d.Engine).RunAsync(options, _log.Add);
        Assert.Equal(["configuration", "database", "logs"], export.Manifest.Contents);
        Assert.Equal([$"logs/{first}/0/logs.log", $"logs/{second}/0/logs.log"], export.Manifest.Logs!.Files.Select(f => f.Path));
        var storedFirst = File.ReadAllText(Path.Combine(export.Location.Folder!, $"logs/{first}/0/logs.log"));
        Assert.Equal(2, storedFirst.Split("airbyteops-secret:").Length - 1);
        Assert.Equal(logs[$"{second}/0/logs.log"], File.ReadAllText(Path.Combine(export.Location.Folder!, $"logs/{second}/0/logs.log")));
        foreach (var file in Directory.EnumerateFiles(export.Location.Folder!, "*", SearchOption.AllDirectories).Append(export.Location.Archive!))
        {
            var bytes = File.ReadAllBytes(file);
            if (file.EndsWith(".tar.gz", StringComparison.Ordinal))
            {
                using var gz = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
                using var plain = new MemoryStream();
                gz.CopyTo(plain);
                bytes = plain.ToArray();
            }
            Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Marker)) < 0, $"{file} holds the secret");
        }
        Assert.Contains(Password, File.ReadAllText(export.Location.SecretsFile));
        Assert.DoesNotContain(_log, l => l.Contains(Marker, StringComparison.Ordinal));

        // The wipe: a new database and an emptied workspace in which a new history already wrote job 1's log and job 50's.
        await db.WipeAsync();
        await ClearAsync(workspace, $"{first}", $"{second}", "99");
        await WriteAsync(workspace, new Dictionary<string, string> { [$"{first}/0/logs.log"] = "the new history's job", ["50/0/logs.log"] = "another job" });

        await new RestoreSetupOperation(d.Engine).RunAsync(s.Restore(), _log.Add);
        var back = await ReadAsync(workspace);
        Assert.Equal(logs[$"{first}/0/logs.log"], back[$"{first}/0/logs.log"]); // the secret back, byte for byte
        Assert.Equal(logs[$"{second}/0/logs.log"], back[$"{second}/0/logs.log"]);
        Assert.Equal("another job", back["50/0/logs.log"]);
        Assert.Equal([$"{first}/0/logs.log", $"{second}/0/logs.log", "50/0/logs.log"], back.Keys.Order(StringComparer.Ordinal)); // no work area left
        Assert.Contains(_log, l => l.StartsWith("Restored 2 job log(s) into workspace volume", StringComparison.Ordinal));

        // Restored again: configuration, database and logs all identical, nothing to do.
        var restore = s.Restore();
        Assert.True((await new RestoreSetupOperation(d.Engine).RunAsync(restore, _log.Add)).AlreadyIdentical);
        // Only the workspace lost (configuration and database unchanged): the logs come back all the same.
        await ClearAsync(workspace, $"{first}", $"{second}");
        var again = await new RestoreSetupOperation(d.Engine).RunAsync(restore, _log.Add);
        Assert.False(again.AlreadyIdentical);
        back = await ReadAsync(workspace);
        Assert.Equal(logs[$"{first}/0/logs.log"], back[$"{first}/0/logs.log"]);
        Assert.Equal(logs[$"{second}/0/logs.log"], back[$"{second}/0/logs.log"]);
    }

    /// <summary>
    /// Nothing lost: the live job folder a --include logs restore replaces (same job number as one in the setup) is in the
    /// restore's safety snapshot whole and byte for byte (its log and its other files), a live folder the restore does
    /// not replace is not, and restoring the snapshot puts the replaced folder back as it was.
    /// </summary>
    [Fact]
    public async Task The_live_job_folder_a_logs_restore_replaces_is_in_the_safety_snapshot_and_restoring_the_snapshot_gives_it_back()
    {
        await using var s = await LogsStack.CreateAsync(fixture.Engine);
        var (d, db, workspace) = (s.Deployment, s.Database, s.Workspace);
        var job = await db.InsertSyncJobAsync("c1", JobConfig(), "{\"sync\":{\"state\":{\"cursor\":1}}}");
        await WriteAsync(workspace, new Dictionary<string, string> { [$"{job}/0/logs.log"] = "the exported history's log\n" });
        await new ExportSetupOperation(d.Engine).RunAsync(s.Export(), _log.Add);

        // The live deployment moves on: another job, the same job number now holds another history's attempt (a log, a
        // catalog), and job 77.
        await db.InsertSyncJobAsync("c1", JobConfig(), "{\"sync\":{\"state\":{\"cursor\":2}}}");
        var liveHistory = await db.HistoryAsync();
        await ClearAsync(workspace, $"{job}");
        var live = new Dictionary<string, string>
        {
            [$"{job}/0/logs.log"] = "the live log, which the restore replaces\nno newline at the end",
            [$"{job}/0/catalog.json"] = "{\"streams\": []}",
            ["77/0/logs.log"] = "live only\n",
        };
        await WriteAsync(workspace, live);

        var restored = await new RestoreSetupOperation(d.Engine).RunAsync(s.Restore(), _log.Add);
        Assert.Equal("the exported history's log\n", (await ReadAsync(workspace))[$"{job}/0/logs.log"]); // the setup's log is live now
        var snapshot = restored.Snapshot!;
        Assert.Equal(live[$"{job}/0/logs.log"], File.ReadAllText(Path.Combine(snapshot, $"logs/{job}/0/logs.log")));
        Assert.Equal(live[$"{job}/0/catalog.json"], File.ReadAllText(Path.Combine(snapshot, $"logs/{job}/0/catalog.json")));
        Assert.False(Directory.Exists(Path.Combine(snapshot, "logs", "77"))); // not replaced, so not taken
        Assert.Contains(_log, l => l.StartsWith($"Safety snapshot of the job folders the restore replaces in workspace volume '{workspace}': 1 folder(s), 2 file(s)", StringComparison.Ordinal));

        await new RestoreSetupOperation(d.Engine).RunAsync(s.Restore(snapshot), _log.Add);
        Assert.Equal(live, await ReadAsync(workspace));
        Assert.Equal(liveHistory, await db.HistoryAsync());
    }

    /// <summary>
    /// Nothing lost, to the mode: the replaced live job folder's permission bits, symbolic link and empty folders are in
    /// the safety snapshot as the configuration's capture keeps them, and restoring the snapshot gives the folder back
    /// exactly (not 0644 files in 0755 folders).
    /// </summary>
    [Fact]
    public async Task The_safety_snapshot_keeps_the_replaced_folder_s_modes_links_and_empty_folders_and_gives_them_back_exactly()
    {
        await using var s = await LogsStack.CreateAsync(fixture.Engine);
        var (d, db, workspace) = (s.Deployment, s.Database, s.Workspace);
        var job = await db.InsertSyncJobAsync("c1", JobConfig(), "{\"sync\":{\"state\":{\"cursor\":1}}}");
        await WriteAsync(workspace, new Dictionary<string, string> { [$"{job}/0/logs.log"] = "the exported history's log\n" });
        await new ExportSetupOperation(d.Engine).RunAsync(s.Export(), _log.Add);

        await ClearAsync(workspace, $"{job}");
        using (var tar = new MemoryStream())
        {
            await using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
            {
                async Task Folder(string path, int mode) => await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, path + "/") { Mode = (UnixFileMode)mode });
                async Task Put(string path, int mode, string text) =>
                    await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, path) { Mode = (UnixFileMode)mode, DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)) });
                await Folder($"{job}", Convert.ToInt32("750", 8));
                await Folder($"{job}/0", Convert.ToInt32("700", 8));
                await Put($"{job}/0/logs.log", Convert.ToInt32("640", 8), "the live log\n");
                await Put($"{job}/0/run.sh", Convert.ToInt32("755", 8), "#!/bin/sh\n");
                await Folder($"{job}/0/empty", Convert.ToInt32("711", 8));
                await Folder($"{job}/1", Convert.ToInt32("755", 8)); // an attempt folder with nothing in it
                await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, $"{job}/0/latest") { Mode = (UnixFileMode)Convert.ToInt32("777", 8), LinkName = "logs.log" });
            }
            tar.Position = 0;
            await using var mounted = await fixture.Engine.Volumes.OpenAsync(workspace, TestImages.Busybox);
            await mounted.CopyInAsync("", tar);
        }
        var live = await ListAsync(workspace, $"{job}");
        Assert.Contains($"{job}/0/empty directory 0711", live);
        Assert.Contains($"{job}/0/latest link -> logs.log", live);

        var restored = await new RestoreSetupOperation(d.Engine).RunAsync(s.Restore(), _log.Add);
        Assert.NotEqual(live, await ListAsync(workspace, $"{job}"));
        Assert.Contains(_log, l => l.StartsWith($"Safety snapshot of the job folders the restore replaces in workspace volume '{workspace}': 1 folder(s), 2 file(s)", StringComparison.Ordinal) && l.Contains("1 symbolic link(s), modes kept", StringComparison.Ordinal));

        await new RestoreSetupOperation(d.Engine).RunAsync(s.Restore(restored.Snapshot!), _log.Add);
        Assert.Equal(live, await ListAsync(workspace, $"{job}"));
    }

    /// <summary>Every entry under a job folder: path, kind, mode, and the link target or the file's text.</summary>
    private async Task<List<string>> ListAsync(string volume, string job)
    {
        var entries = new List<string>();
        await using var mounted = await fixture.Engine.Volumes.OpenAsync(volume, TestImages.Busybox, readOnly: true);
        await using var tar = await mounted.CopyOutAsync("");
        await TarTree.ReadAsync(tar, volume, async (raw, content) =>
        {
            if (TarTree.StripFirst(raw.Name)?.TrimEnd('/') is not { } path || (path != job && !path.StartsWith(job + "/", StringComparison.Ordinal))) return;
            var mode = Convert.ToString((int)raw.Mode, 8).PadLeft(4, '0');
            var what = raw.Kind switch
            {
                EntryKind.SymbolicLink => $"link -> {raw.LinkTarget}",
                EntryKind.File when content is not null => $"file {mode} {await new StreamReader(content).ReadToEndAsync()}",
                _ => $"{raw.Kind.ToString().ToLowerInvariant()} {mode}",
            };
            entries.Add($"{path} {what}");
        });
        entries.Sort(StringComparer.Ordinal);
        return entries;
    }

    private static string JobConfigWith(string password) =>
        "{\"configType\":\"sync\",\"sync\":{\"sourceConnectionImplementation\":{\"configuration\":{\"host\":\"db.example\",\"password\":\"" + password + "\"}}}}";

    /// <summary>
    /// A secret shorter than 4 characters cannot be told from ordinary text, so a log quoting one is not shareable: the
    /// export refuses it in one line that says what to do, saves nothing and leaves the writers running.
    /// </summary>
    [Fact]
    public async Task A_log_quoting_a_secret_shorter_than_4_characters_refuses_the_export_in_one_line_and_nothing_is_saved()
    {
        await using var s = await LogsStack.CreateAsync(fixture.Engine);
        var (d, db, workspace) = (s.Deployment, s.Database, s.Workspace);
        var job = await db.InsertSyncJobAsync("c1", JobConfigWith("q7z"), "{\"sync\":{\"state\":{\"cursor\":1}}}");
        await WriteAsync(workspace, new Dictionary<string, string> { [$"{job}/0/logs.log"] = "connecting with password q7z\n" });
        var options = s.Export();
        var refused = await Assert.ThrowsAsync<SetupException>(() => new ExportSetupOperation(d.Engine).RunAsync(options, _log.Add));
        Assert.Equal($"Job log '{job}/0/logs.log' holds a secret value shorter than 4 characters, which cannot be told apart from ordinary text; export without --include logs, or give that connection a longer password. Nothing was saved.", refused.Message);
        Assert.Empty(Directory.Exists(d.Setups) ? Directory.EnumerateFileSystemEntries(d.Setups) : []);
        Assert.Equal("running", await db.StateAsync(d.Server));
        Assert.Equal("running", await db.StateAsync(db.Scheduler));
    }

    /// <summary>
    /// The restore's safety snapshot of a live job folder it replaces is local and private: a log there quoting a secret
    /// shorter than 4 characters does not stop the restore; the snapshot holds it with the value cut into its 0600 sidecar,
    /// and restoring the snapshot gives the folder back byte for byte.
    /// </summary>
    [Fact]
    public async Task A_replaced_live_log_quoting_a_short_secret_does_not_block_the_restore_and_the_snapshot_gives_it_back_exactly()
    {
        await using var s = await LogsStack.CreateAsync(fixture.Engine);
        var (d, db, workspace) = (s.Deployment, s.Database, s.Workspace);
        var job = await db.InsertSyncJobAsync("c1", JobConfig(), "{\"sync\":{\"state\":{\"cursor\":1}}}");
        await WriteAsync(workspace, new Dictionary<string, string> { [$"{job}/0/logs.log"] = "the exported history's log\n" });
        await new ExportSetupOperation(d.Engine).RunAsync(s.Export(), _log.Add);

        // The live history moves on with a connection whose password is 3 characters, and job {job}'s live log quotes it.
        await db.InsertSyncJobAsync("c2", JobConfigWith("q7z"), "{\"sync\":{\"state\":{\"cursor\":2}}}");
        var liveHistory = await db.HistoryAsync();
        await ClearAsync(workspace, $"{job}");
        var live = new Dictionary<string, string>
        {
            [$"{job}/0/logs.log"] = "connecting with password q7z (q7zq7z, aq7zb)\nno newline at the end",
            ["77/0/logs.log"] = "live only\n",
        };
        await WriteAsync(workspace, live);

        var restored = await new RestoreSetupOperation(d.Engine).RunAsync(s.Restore(), _log.Add);
        Assert.Equal("the exported history's log\n", (await ReadAsync(workspace))[$"{job}/0/logs.log"]);
        var snapshot = restored.Snapshot!;
        var stored = File.ReadAllText(Path.Combine(snapshot, $"logs/{job}/0/logs.log"));
        Assert.DoesNotContain("q7z", stored);
        Assert.Contains("airbyteops-secret:", stored);

        await new RestoreSetupOperation(d.Engine).RunAsync(s.Restore(snapshot), _log.Add);
        Assert.Equal(live, await ReadAsync(workspace));
        Assert.Equal(liveHistory, await db.HistoryAsync());
    }

    /// <summary>
    /// Killed right after the job logs were swapped in (configuration and database swapped too, nothing committed): the
    /// next RestoreSetup puts all three back (the logs because the data volume's swap was not committed), then restores
    /// the setup in full and leaves no work area in either volume. The killed build's helper containers (created to reach
    /// the volumes, removed only in a finally that SIGKILL skips) are removed by that next RestoreSetup, which says so.
    /// </summary>
    [Fact]
    public async Task The_build_killed_after_the_logs_swap_is_rolled_back_by_the_next_restore_which_completes()
    {
        await using var s = await LogsStack.CreateAsync(fixture.Engine);
        var (d, db, workspace) = (s.Deployment, s.Database, s.Workspace);
        var job = await db.InsertSyncJobAsync("c1", JobConfig(), "{\"sync\":{\"state\":{\"cursor\":1}}}");
        await WriteAsync(workspace, new Dictionary<string, string> { [$"{job}/0/logs.log"] = "the exported history's log\n" });
        await new ExportSetupOperation(d.Engine).RunAsync(s.Export(), _log.Add);
        var setupHistory = await db.HistoryAsync();

        // The live deployment moves on: another job, and the same job folder now holds another log.
        await db.InsertSyncJobAsync("c1", JobConfig(), "{\"sync\":{\"state\":{\"cursor\":2}}}");
        await ClearAsync(workspace, $"{job}");
        await WriteAsync(workspace, new Dictionary<string, string> { [$"{job}/0/logs.log"] = "the live log\n", ["77/0/logs.log"] = "live only\n" });

        using (var child = ChildProcess.Start(typeof(Program).Assembly, "crash-restore", "logs-swapped", "my-setup", d.Artifacts, d.Server, d.Volume, db.Container, db.Scheduler, workspace))
        {
            var reached = await ChildProcess.WaitForLineAsync(child, "AT logs-swapped", TimeSpan.FromMinutes(2));
            await ChildProcess.KillAsync(child);
            if (!reached) Assert.Fail("the restore never reached logs-swapped: " + await child.StandardError.ReadToEndAsync());
        }
        Assert.Equal("the exported history's log\n", (await ReadAsync(workspace))[$"{job}/0/logs.log"]); // swapped in, not committed

        var next = await new RestoreSetupOperation(d.Engine).RunAsync(s.Restore(), _log.Add);
        Assert.Contains($"Workspace volume '{workspace}': An earlier restore", next.Recovered);
        // The killed build's helper containers (it never reached the finally that removes them) were removed, said so,
        // and nothing of ours holds the workspace volume any more: the volume can be wiped.
        Assert.Contains(_log, l => l.StartsWith("Removed helper container ", StringComparison.Ordinal) && l.Contains($"it held volume '{workspace}'", StringComparison.Ordinal));
        Assert.DoesNotContain(await fixture.Engine.Containers.ListAsync([Labels.Managed]), c => c.Mounts.Any(m => m.Name == workspace));
        Assert.Equal(setupHistory, await db.HistoryAsync());
        var back = await ReadAsync(workspace);
        Assert.Equal(new Dictionary<string, string> { [$"{job}/0/logs.log"] = "the exported history's log\n", ["77/0/logs.log"] = "live only\n" }, back);
    }

    /// <summary>
    /// What every test here stands on: a running test deployment, its database and scheduler, seeded, and an empty workspace
    /// volume; the export and restore options that carry the logs through them. Disposed in reverse: the volume, the
    /// database, the deployment.
    /// </summary>
    private sealed class LogsStack : IAsyncDisposable
    {
        public required TestDeployment Deployment { get; init; }
        public required TestDatabase Database { get; init; }
        public required string Workspace { get; init; }

        public static async Task<LogsStack> CreateAsync(DockerEngine engine)
        {
            var d = await TestDeployment.CreateAsync(engine, running: true);
            try
            {
                var db = await TestDatabase.CreateAsync(d);
                await d.SeedAsync();
                var workspace = TestNames.Unique("workspace");
                await engine.Volumes.CreateAsync(workspace, new Dictionary<string, string> { [Labels.Managed] = "true" });
                return new LogsStack { Deployment = d, Database = db, Workspace = workspace };
            }
            catch
            {
                await d.DisposeAsync();
                throw;
            }
        }

        /// <summary>ExportSetup of the deployment with its database and --include logs from the workspace volume.</summary>
        public ExportOptions Export() => Deployment.Export() with
        {
            DatabaseContainer = Database.Container, SchedulerContainer = Database.Scheduler, IncludeLogs = true, WorkspaceVolume = Workspace,
        };

        /// <summary>RestoreSetup of <paramref name="setup"/> into the deployment, its database and the workspace volume.</summary>
        public RestoreOptions Restore(string setup = "my-setup") => Deployment.Restore(setup) with
        {
            DatabaseContainer = Database.Container, SchedulerContainer = Database.Scheduler, WorkspaceVolume = Workspace,
        };

        public async ValueTask DisposeAsync()
        {
            try { await Deployment.Engine.Volumes.RemoveAsync(Workspace); }
            finally
            {
                await Database.DisposeAsync();
                await Deployment.DisposeAsync();
            }
        }
    }

    private async Task WriteAsync(string volume, IReadOnlyDictionary<string, string> files)
    {
        using var tar = new MemoryStream();
        await using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (path, text) in files)
            {
                var parts = path.Split('/');
                for (var depth = 1; depth < parts.Length; depth++)
                    await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, string.Join('/', parts[..depth]) + "/") { Mode = (UnixFileMode)0x1ED });
                await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, path) { Mode = (UnixFileMode)0x1A4, DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)) });
            }
        }
        tar.Position = 0;
        await using var mounted = await fixture.Engine.Volumes.OpenAsync(volume, TestImages.Busybox);
        await mounted.CopyInAsync("", tar);
    }

    private async Task<Dictionary<string, string>> ReadAsync(string volume)
    {
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var mounted = await fixture.Engine.Volumes.OpenAsync(volume, TestImages.Busybox, readOnly: true);
        await using var tar = await mounted.CopyOutAsync("");
        await TarTree.ReadAsync(tar, volume, async (raw, content) =>
        {
            if (content is null || TarTree.StripFirst(raw.Name) is not { } path) return;
            using var text = new StreamReader(content);
            files[path] = await text.ReadToEndAsync();
        });
        return files;
    }

    /// <summary>The wipe of the workspace: its job folders removed (busybox find has no -delete).</summary>
    private async Task ClearAsync(string volume, params string[] jobs)
    {
        var spec = new ContainerSpec(TestNames.Unique("wipe"), TestImages.Busybox)
        {
            Command = ["rm", "-rf", .. jobs.Select(j => $"/volume/{j}")], Mounts = [new VolumeMount(volume, "/volume")], NetworkMode = "none",
        };
        Assert.Equal(0, await fixture.Engine.RunAsync(spec, _ => { }, TimeSpan.FromMinutes(1)));
    }
}
