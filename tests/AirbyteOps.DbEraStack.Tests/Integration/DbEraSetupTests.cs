using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using AirbyteOps.DbEraStack.Tests.Support;
using AirbyteOps.Setups;
using AirbyteOps.Setups.Export;
using AirbyteOps.Setups.Manifest;
using AirbyteOps.Setups.Restore;

namespace AirbyteOps.DbEraStack.Tests.Integration;

/// <summary>
/// ExportSetup and RestoreSetup on the database-era stand-in (Airbyte 0.50.33, real Postgres 15, real pg_dump): the round
/// trip through a wiped deployment, the secrets, the downgrade refusal, a kill during the swap, and the cross-era refusals.
/// </summary>
public sealed class DbEraSetupTests(DbEraFixture fixture) : IClassFixture<DbEraFixture>, IDisposable
{
    private readonly TempDirectory _artifacts = new();
    private DbEraContainers Stack => fixture.Stack;
    private string Artifacts => _artifacts.Path;
    private readonly List<string> _log = [];

    public void Dispose() => _artifacts.Dispose();

    private void Log(string line) => _log.Add(line);

    [Fact]
    public async Task Export_wipe_up_restore_gives_back_every_row_of_every_table_and_the_shareable_setup_holds_no_secret_byte()
    {
        var seeded = await DbEraSetups.SeedAsync(Stack, "roundtrip");
        var payloads = (await Stack.QueryAsync("SELECT payload FROM secrets")).Select(r => (string)r[0]!).ToList();
        Assert.Contains(seeded.Secrets[0], payloads);
        var before = await DbEraSetups.DigestAsync(Stack);
        Assert.True(before.Count >= 20, $"only {before.Count} tables");

        var export = await new ExportSetupOperation(Stack.Engine).RunAsync(DbEraSetups.Export(Stack, "before-upgrade", Artifacts), Log);
        var manifest = export.Manifest;
        Assert.Equal(SetupManifest.EraDatabase, manifest.Era);
        Assert.Equal(3, manifest.FormatVersion);
        Assert.Equal("0.50.33", manifest.AirbyteVersion);
        Assert.Empty(manifest.Entries);
        var newest = await Stack.QueryAsync("SELECT (SELECT version FROM airbyte_configs_migrations ORDER BY installed_rank DESC LIMIT 1), (SELECT version FROM airbyte_jobs_migrations ORDER BY installed_rank DESC LIMIT 1), current_setting('server_version')");
        Assert.Equal((string)newest[0][0]!, manifest.Database!.ConfigsMigration);
        Assert.Equal((string)newest[0][1]!, manifest.Database.JobsMigration);
        Assert.Equal(((string)newest[0][2]!).Split(' ')[0], manifest.Database.PostgresVersion);
        Assert.Equal("running", (await Stack.Engine.Containers.InspectAsync(Stack.Server)).State);
        Assert.Contains(_log, l => l.StartsWith("Pausing the writers", StringComparison.Ordinal) && l.Contains(Stack.Server, StringComparison.Ordinal));

        // No secret byte in the shareable setup (every file, every byte); every one of them in the 0600 sidecar.
        var secretsFile = export.Location.SecretsFile;
        var sidecar = await File.ReadAllTextAsync(secretsFile);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(secretsFile));
        foreach (var secret in payloads.Concat(seeded.Secrets).Distinct())
        {
            Assert.Contains(secret, sidecar, StringComparison.Ordinal);
            var needle = Encoding.UTF8.GetBytes(secret);
            foreach (var file in Directory.EnumerateFiles(export.Location.Folder!, "*", SearchOption.AllDirectories))
                Assert.True((await File.ReadAllBytesAsync(file)).AsSpan().IndexOf(needle) < 0, $"{file} holds a secret ({secret[..6]}...)");
        }

        // Wipe, up: a fresh deployment, only the bootloader's seed.
        await Stack.WipeAndUpAsync();
        Assert.Empty(await Stack.QueryAsync($"SELECT id FROM actor WHERE id = '{seeded.SourceId}'"));
        Assert.NotEqual(before, await DbEraSetups.DigestAsync(Stack));

        var restore = await new RestoreSetupOperation(Stack.Engine).RunAsync(DbEraSetups.Restore(Stack, "before-upgrade", Artifacts), Log);
        Assert.False(restore.AlreadyIdentical);
        Assert.Equal(before, await DbEraSetups.DigestAsync(Stack));
        Assert.Contains(_log, l => l.StartsWith("The API answers with the setup's", StringComparison.Ordinal));
        Assert.DoesNotContain(await DbEraSetups.DatabasesAsync(Stack), d => d.Contains("__abops_", StringComparison.Ordinal));
        var (status, source) = await Stack.PostAsync("sources/get", new JsonObject { ["sourceId"] = seeded.SourceId });
        Assert.Equal(200, status);
        Assert.Equal("orders roundtrip", source!["name"]!.GetValue<string>());

        // Restoring it again: the live database already is the setup.
        var again = await new RestoreSetupOperation(Stack.Engine).RunAsync(DbEraSetups.Restore(Stack, "before-upgrade", Artifacts), Log);
        Assert.True(again.AlreadyIdentical);
    }

    /// <summary>
    /// The writers are held only while the snapshot is exported: at "released" the server runs again and creates a source
    /// through its API (a real write of the stand-in server), and the dump, taken after, is the database as it was while
    /// they were paused: the new source is in the live database and not in the setup.
    /// </summary>
    [Fact]
    public async Task The_server_runs_again_before_the_dump_and_what_it_writes_then_is_not_in_the_dump()
    {
        var seeded = await DbEraSetups.SeedAsync(Stack, "snapshot");
        var later = $"created-after-release-{Guid.NewGuid():N}";
        var wrote = false;
        var options = DbEraSetups.Export(Stack, "snapshot", Artifacts) with
        {
            Checkpoint = async (at, ct) =>
            {
                if (at != "released") return;
                Assert.Equal("running", (await Stack.Engine.Containers.InspectAsync(Stack.Server, ct)).State);
                var (_, got) = await Stack.PostAsync("sources/get", new JsonObject { ["sourceId"] = seeded.SourceId });
                var (status, _) = await Stack.PostAsync("sources/create", new JsonObject
                {
                    ["workspaceId"] = got!["workspaceId"]!.GetValue<string>(), ["name"] = later, ["sourceDefinitionId"] = got["sourceDefinitionId"]!.GetValue<string>(),
                    ["connectionConfiguration"] = new JsonObject { ["host"] = "10.0.0.6", ["port"] = 5432, ["database"] = "later", ["username"] = "r", ["password"] = "later-password-1" },
                });
                Assert.Equal(200, status);
                wrote = true;
            },
        };

        var export = await new ExportSetupOperation(Stack.Engine).RunAsync(options, Log);
        Assert.True(wrote);
        Assert.Single(await Stack.QueryAsync($"SELECT id FROM actor WHERE name = '{later}'"));
        var dump = await File.ReadAllTextAsync(Path.Combine(export.Location.Folder!, "database/airbyte.sql"));
        Assert.Contains("orders snapshot", dump);
        Assert.DoesNotContain(later, dump);
        Assert.True(_log.FindIndex(l => l.StartsWith($"Writers unpaused ({Stack.Server}", StringComparison.Ordinal)) < _log.FindIndex(l => l.StartsWith("Dumping database", StringComparison.Ordinal)), string.Join('\n', _log));
    }

    [Fact]
    public async Task A_setup_with_a_newer_Flyway_migration_than_the_deployment_is_refused_with_nothing_changed()
    {
        await DbEraSetups.SeedAsync(Stack, "downgrade");
        await new ExportSetupOperation(Stack.Engine).RunAsync(DbEraSetups.Export(Stack, "newer", Artifacts), Log);
        // The deployment goes back one configs migration: what an older Airbyte's database looks like.
        var removed = await Stack.QueryAsync("DELETE FROM airbyte_configs_migrations WHERE installed_rank = (SELECT max(installed_rank) FROM airbyte_configs_migrations) RETURNING installed_rank, version, description, type, script, checksum, installed_by, installed_on, execution_time, success");
        try
        {
            await DbEraSetups.SeedAsync(Stack, "after-export");
            var before = await DbEraSetups.DigestAsync(Stack);
            var snapshots = Path.Combine(Artifacts, "snapshots");

            var error = await Assert.ThrowsAsync<SetupException>(() => new RestoreSetupOperation(Stack.Engine).RunAsync(DbEraSetups.Restore(Stack, "newer", Artifacts), Log));
            Assert.Contains($"its configs database is at Flyway {removed[0][1]}", error.Message, StringComparison.Ordinal);
            Assert.Contains("Nothing was changed", error.Message, StringComparison.Ordinal);
            Assert.Equal(before, await DbEraSetups.DigestAsync(Stack));
            Assert.DoesNotContain(await DbEraSetups.DatabasesAsync(Stack), d => d.Contains("__abops_", StringComparison.Ordinal));
            Assert.False(Directory.Exists(snapshots));
            Assert.Equal("running", (await Stack.Engine.Containers.InspectAsync(Stack.Server)).State);
        }
        finally
        {
            var r = removed[0];
            await Stack.QueryAsync($"INSERT INTO airbyte_configs_migrations (installed_rank, version, description, type, script, checksum, installed_by, installed_on, execution_time, success) VALUES ({r[0]}, '{r[1]}', '{r[2]}', '{r[3]}', '{r[4]}', {(r[5] is null ? "NULL" : r[5])}, '{r[6]}', '{(DateTime)r[7]!:O}', {r[8]}, {r[9]}) RETURNING installed_rank");
        }
    }

    [Fact]
    public async Task A_restore_killed_before_and_during_the_database_swap_leaves_the_old_database_and_the_next_run_completes()
    {
        await DbEraSetups.SeedAsync(Stack, "kill-setup");
        await new ExportSetupOperation(Stack.Engine).RunAsync(DbEraSetups.Export(Stack, "kill", Artifacts), Log);
        var setupDigest = await DbEraSetups.DigestAsync(Stack);
        var later = await DbEraSetups.SeedAsync(Stack, "kill-later");
        var current = await DbEraSetups.DigestAsync(Stack);
        Assert.NotEqual(setupDigest, current);

        // Killed with the setup loaded beside the live database: the live one was never touched and keeps serving.
        await KillAtAsync("db-staged");
        var (status, _) = await Stack.PostAsync("sources/get", new JsonObject { ["sourceId"] = later.SourceId });
        Assert.Equal(200, status);
        Assert.Equal(current, await DbEraSetups.DigestAsync(Stack));

        // Killed right after the swap transaction: the previous database is intact under its side name.
        await KillAtAsync("db-swapped");
        Assert.Contains("airbyte__abops_old", await DbEraSetups.DatabasesAsync(Stack));
        Assert.Equal(current, await DbEraSetups.DigestAsync(Stack, "airbyte__abops_old"));

        // The next run puts the previous database back first, then restores to the end.
        var result = await new RestoreSetupOperation(Stack.Engine).RunAsync(DbEraSetups.Restore(Stack, "kill", Artifacts), Log);
        Assert.Contains("database 'airbyte' was put back as it was", result.Recovered, StringComparison.Ordinal);
        Assert.Equal(setupDigest, await DbEraSetups.DigestAsync(Stack));
        Assert.DoesNotContain(await DbEraSetups.DatabasesAsync(Stack), d => d.Contains("__abops_", StringComparison.Ordinal));
        Assert.Equal("running", (await Stack.Engine.Containers.InspectAsync(Stack.Server)).State);
        // The snapshot of the rolled-back database holds what was live before (the later source).
        var snapshot = await File.ReadAllTextAsync(Path.Combine(result.Snapshot!, "database", "airbyte.sql"));
        Assert.Contains(later.SourceId, snapshot, StringComparison.Ordinal);
    }

    private async Task KillAtAsync(string checkpoint)
    {
        var child = ChildProcess.Start(typeof(Program).Assembly, "crash-restore", checkpoint, "kill", Artifacts, Stack.Server, Stack.Db, Stack.ProxyPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        bool reached;
        try
        {
            reached = await ChildProcess.WaitForLineAsync(child, $"AT {checkpoint}", TimeSpan.FromMinutes(2));
        }
        finally
        {
            await ChildProcess.KillAsync(child);
        }
        // Read only once it is dead: its stderr ends then (an argument evaluated before would wait for that forever).
        if (!reached) Assert.Fail("the restore never reached " + checkpoint + ": " + await child.StandardError.ReadToEndAsync());
    }

    [Fact]
    public async Task A_files_era_setup_offered_to_the_database_era_deployment_is_refused_saying_why_and_nothing_is_written()
    {
        // A plain archive of a 0.7 /data tree (what the 0.7 tutorial's docker cp gives).
        var archive = Path.Combine(Artifacts, "files-era.tar.gz");
        await using (var file = File.Create(archive))
        await using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
            await gzip.WriteAsync(await FilesEraTreeAsync());
        var before = await DbEraSetups.DigestAsync(Stack);
        var error = await Assert.ThrowsAsync<SetupException>(() => new RestoreSetupOperation(Stack.Engine).RunAsync(DbEraSetups.Restore(Stack, archive, Artifacts) with { SkipConfigCheck = true }, Log));
        Assert.Contains("holds a configuration tree (files under CONFIG_ROOT", error.Message, StringComparison.Ordinal);
        Assert.Contains("keeps its configuration in the database", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await DbEraSetups.DigestAsync(Stack));
        Assert.False(Directory.Exists(Path.Combine(Artifacts, "snapshots")));
    }

    [Fact]
    public async Task A_database_era_setup_offered_to_a_files_era_deployment_is_refused_saying_why_and_nothing_is_written()
    {
        await new ExportSetupOperation(Stack.Engine).RunAsync(DbEraSetups.Export(Stack, "db-era", Artifacts), Log);
        await using var files = await TestDeployment.CreateAsync(Stack.Engine, running: true);
        await files.CopyInAsync(new MemoryStream(await FilesEraTreeAsync()));
        var tree = await files.ListAsync();
        var options = files.Restore(Path.Combine(Artifacts, "setups", "db-era"));

        var error = await Assert.ThrowsAsync<SetupException>(() => new RestoreSetupOperation(Stack.Engine).RunAsync(options, Log));
        Assert.Contains("it is a database-era setup (Airbyte 0.50.33", error.Message, StringComparison.Ordinal);
        Assert.Contains("keeps its configuration in files under /data", error.Message, StringComparison.Ordinal);
        Assert.Equal(tree, await files.ListAsync());
        Assert.False(Directory.Exists(Path.Combine(files.Artifacts, "snapshots")));
    }

    /// <summary>A small 0.7 configuration tree as a tar: config/STANDARD_WORKSPACE/&lt;id&gt;.json.</summary>
    private static async Task<byte[]> FilesEraTreeAsync()
    {
        using var buffer = new MemoryStream();
        await using (var tar = new TarWriter(buffer, leaveOpen: true))
        {
            var id = Guid.NewGuid();
            var workspace = Encoding.UTF8.GetBytes($"{{\"workspaceId\":\"{id}\",\"name\":\"default\",\"slug\":\"default\",\"initialSetupComplete\":true}}");
            await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, "config/") { Mode = (UnixFileMode)Convert.ToInt32("755", 8) });
            await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, "config/STANDARD_WORKSPACE/") { Mode = (UnixFileMode)Convert.ToInt32("755", 8) });
            await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, $"config/STANDARD_WORKSPACE/{id}.json") { Mode = (UnixFileMode)Convert.ToInt32("644", 8), DataStream = new MemoryStream(workspace) });
        }
        return buffer.ToArray();
    }
}
