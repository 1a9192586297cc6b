using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using AirbyteOps.Docker;

namespace AirbyteOps.Setups.Tests;

/// <summary>
/// Issue 11: a setup carries the jobs database with the configuration, captured consistently, restored both-or-neither.
/// Real engine, real Postgres (the airbyte-db stand-in image), real pg_dump and psql in its container.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class DatabaseSetupTests(EngineFixture fixture)
{
    private readonly List<string> _log = [];
    private void Log(string line) => _log.Add(line);

    private static readonly string Marker = Guid.NewGuid().ToString("N")[..10];
    /// <summary>Secrets in jobs.config as the real one holds them: at the top of a connector configuration, nested in credentials, and one with characters JSON and COPY both escape.</summary>
    private static readonly string SourcePassword = $"src-pw-{Marker}";
    private static readonly string ClientSecret = $"client-secret-{Marker}";
    private static readonly string Tricky = $"tr\"ick\\y\t{Marker}€";
    private static string TrickyJson => JsonSerializer.Serialize(Tricky)[1..^1];

    private static string JobConfig(int n) =>
        "{\"configType\":\"sync\",\"sync\":{\"sourceConnectionImplementation\":{\"sourceId\":\"s" + n + "\",\"configuration\":{\"host\":\"db.example\",\"password\":\"" + SourcePassword +
        "\",\"credentials\":{\"client_id\":\"visible-id\",\"client_secret\":\"" + ClientSecret + "\"}}},\"destinationConnectionImplementation\":{\"configuration\":{\"destination_path\":\"/local/x\",\"api_token\":\"" +
        TrickyJson + "\"}},\"syncMode\":\"append\"}}";

    private static string Output(int cursor) =>
        "{\"sync\":{\"standardSyncSummary\":{\"status\":\"completed\",\"recordsSynced\":" + cursor + "},\"state\":{\"connectionId\":\"c1\",\"state\":{\"cursor\":\"2020-11-" + cursor.ToString("00", System.Globalization.CultureInfo.InvariantCulture) + "\"}}}}";

    private static ExportOptions ExportOf(TestDeployment d, TestDatabase db, string setup = "my-setup") =>
        d.Export(setup) with { DatabaseContainer = db.Container, SchedulerContainer = db.Scheduler };

    private static RestoreOptions RestoreOf(TestDeployment d, TestDatabase db, string setup = "my-setup") =>
        d.Restore(setup) with { DatabaseContainer = db.Container, SchedulerContainer = db.Scheduler };

    [Fact]
    public async Task Export_wipe_restore_gives_back_every_job_and_attempt_and_job_ids_continue_after_the_restored_ones()
    {
        await using var d = await TestDeployment.CreateAsync(fixture.Engine, running: true);
        await using var db = await TestDatabase.CreateAsync(d);
        await d.SeedAsync();
        for (var i = 1; i <= 3; i++) await db.InsertSyncJobAsync("c1", JobConfig(i), Output(i));
        var history = await db.HistoryAsync();
        var tree = await d.ListAsync();

        var export = await new ExportSetupOperation(d.Engine).RunAsync(ExportOf(d, db), Log);
        var manifest = export.Manifest;
        Assert.Equal(2, manifest.FormatVersion);
        Assert.Equal(["configuration", "database"], manifest.Contents);
        Assert.Equal(3, manifest.Database!.Rows["public.jobs"]);
        Assert.Equal(3, manifest.Database.Rows["public.attempts"]);
        Assert.Equal(15, manifest.Database.PostgresMajor);
        Assert.Equal(12, manifest.Database.Secrets.Count); // 3 jobs x (password, client_id and client_secret under credentials, api_token)
        Assert.Equal("0.7.1-alpha", manifest.AirbyteVersion);
        // Writers were paused for the capture and are running again; nothing left paused.
        Assert.Equal("running", await db.StateAsync(d.Server));
        Assert.Equal("running", await db.StateAsync(db.Scheduler));
        Assert.Contains(_log, l => l.StartsWith("Pausing the writers (", StringComparison.Ordinal) && l.Contains(db.Scheduler, StringComparison.Ordinal));
        Assert.True(export.WritersHeld > TimeSpan.Zero);

        // The tutorial's wipe: configuration volume and database volume gone, a fresh deployment (job ids start at 1 again).
        await d.WipeAsync();
        await d.CreateServerAsync(running: true, TestDeployment.AirbyteVersion);
        await db.WipeAsync();
        Assert.Equal("", await db.SqlAsync("SELECT id FROM jobs"));

        var restore = await new RestoreSetupOperation(d.Engine).RunAsync(RestoreOf(d, db), Log);
        Assert.False(restore.AlreadyIdentical);
        Assert.Equal(history, await db.HistoryAsync());
        Assert.Equal(tree, await d.ListAsync());
        // Secrets are back byte for byte in jobs.config.
        var config = await db.SqlAsync("SELECT config::text FROM jobs WHERE id = 1");
        Assert.Contains(SourcePassword, config);
        Assert.Contains($"{Marker}€", config); // jsonb gives it back as jsonb writes it (\" and a raw €), byte for byte from the dump
        // The next job continues after the restored ones.
        var next = await db.InsertSyncJobAsync("c1", JobConfig(4), Output(4));
        Assert.Equal(4, next);
        // Nothing of the swap is left: no staged or previous database (the previous one dropped over the psql session opened
        // at the swap), and no psql session of the restore still connected.
        Assert.DoesNotContain(await db.DatabasesAsync(), n => n.Contains("__abops", StringComparison.Ordinal));
        Assert.Equal("0", await db.SqlAsync("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'psql' AND pid <> pg_backend_pid()", "postgres"));
        Assert.Equal("running", await db.StateAsync(d.Server));
        Assert.Equal("running", await db.StateAsync(db.Scheduler));

        // A second restore of the same setup finds both already identical.
        await db.SqlAsync("DELETE FROM attempts WHERE job_id = 4; DELETE FROM jobs WHERE id = 4; SELECT setval('jobs_id_seq', 3); SELECT setval('attempts_id_seq', 3)");
        var again = await new RestoreSetupOperation(d.Engine).RunAsync(RestoreOf(d, db), Log);
        Assert.True(again.AlreadyIdentical);
    }

    [Fact]
    public async Task No_byte_of_the_shareable_setup_folder_dump_or_archive_holds_a_secret_of_the_database_or_the_configuration()
    {
        await using var d = await TestDeployment.CreateAsync(fixture.Engine, running: true);
        await using var db = await TestDatabase.CreateAsync(d);
        await d.SeedAsync();
        await db.InsertSyncJobAsync("c1", JobConfig(1), Output(1));
        await db.InsertSyncJobAsync("c1", JobConfig(2), Output(2));

        var export = await new ExportSetupOperation(d.Engine).RunAsync(ExportOf(d, db) with { Archive = true }, Log);
        // Every form a secret may take in a file: as is, JSON-escaped, and as COPY escapes JSON (backslashes doubled, tab as \t).
        var forms = SampleTree.SecretValues.Concat([SourcePassword, ClientSecret, Tricky, TrickyJson, TrickyJson.Replace("\\", "\\\\", StringComparison.Ordinal), Marker]).ToList();
        var shareable = Directory.EnumerateFiles(export.Location.Folder!, "*", SearchOption.AllDirectories).Append(export.Location.Archive!).ToList();
        Assert.Contains(shareable, f => f.EndsWith("database/airbyte.sql", StringComparison.Ordinal));
        foreach (var file in shareable)
        {
            var raw = File.ReadAllBytes(file);
            var contents = new List<byte[]> { raw };
            if (file.EndsWith(".tar.gz", StringComparison.Ordinal))
            {
                using var gz = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
                using var plain = new MemoryStream();
                gz.CopyTo(plain);
                contents.Add(plain.ToArray());
            }
            foreach (var bytes in contents)
                foreach (var secret in forms)
                    Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)) < 0, $"{file} holds a secret ({secret})");
        }
        // The dump is a real pg_dump with placeholders where the secrets were, and the values are in the 0600 sidecar.
        var dump = File.ReadAllText(Path.Combine(export.Location.Folder!, "database/airbyte.sql"));
        Assert.Contains("-- PostgreSQL database dump", dump);
        Assert.Contains("COPY public.jobs (", dump);
        Assert.Contains("\"password\": \"airbyteops-secret:", dump);
        Assert.Contains("db.example", dump);
        Assert.DoesNotContain("visible-id", dump); // everything under "credentials" is taken out, as in connection files
        var sidecar = File.ReadAllText(export.Location.SecretsFile);
        Assert.Contains(SourcePassword, sidecar);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(export.Location.SecretsFile));
        Assert.DoesNotContain(_log, l => forms.Any(s => l.Contains(s, StringComparison.Ordinal)));

        // VerifySetup checks the database part: the archive alone (with the sidecar) verifies, and a damaged dump does not.
        var lines = new List<string>();
        // The sample tree is made up (see TestDeployment.ExportOptionsFor): the schema check is not what is tested here.
        await new VerifySetupOperation().RunAsync(new VerifyOptions { Setup = export.Location.Archive!, ArtifactsDirectory = d.Artifacts, SecretsFile = export.Location.SecretsFile, SkipConfigCheck = true }, lines.Add);
        Assert.Contains(lines, l => l.StartsWith("Database: dump 'database/airbyte.sql' of 'airbyte' (Postgres 15", StringComparison.Ordinal) && l.Contains("8 secret value(s)", StringComparison.Ordinal));
        File.AppendAllText(Path.Combine(export.Location.Folder!, "database/airbyte.sql"), "-- edited\n");
        var damaged = await Assert.ThrowsAsync<SetupException>(() => new VerifySetupOperation().RunAsync(new VerifyOptions { Setup = export.Location.Folder!, ArtifactsDirectory = d.Artifacts }, _ => { }));
        Assert.Contains("database dump 'database/airbyte.sql': checksum mismatch", damaged.Message);
    }

    [Fact]
    public async Task The_writers_run_again_before_the_dump_and_the_dump_is_the_database_as_it_was_when_the_configuration_was_read()
    {
        await using var d = await TestDeployment.CreateAsync(fixture.Engine, running: true);
        await using var db = await TestDatabase.CreateAsync(d);
        await d.SeedAsync();
        var before = $"before-{Marker}";
        await db.InsertSyncJobAsync(before, JobConfig(1), Output(1));
        await db.InsertSyncJobAsync(before, JobConfig(2), Output(2));
        var history = await db.HistoryAsync();
        var after = $"after-{Marker}";
        var wroteAfterRelease = false;
        var options = ExportOf(d, db) with
        {
            Checkpoint = async (at, ct) =>
            {
                if (at != "released") return;
                // The writers run again (the hold ended before the dump), and a writer commits: a new job and a change to an old one.
                Assert.Equal("running", await db.StateAsync(d.Server));
                Assert.Equal("running", await db.StateAsync(db.Scheduler));
                await db.InsertSyncJobAsync(after, JobConfig(3), Output(3));
                await db.SqlAsync($"UPDATE jobs SET scope = 'changed-{Marker}', status = 'failed' WHERE id = 1; UPDATE attempts SET output = '{{}}'::jsonb WHERE job_id = 2");
                wroteAfterRelease = true;
            },
        };

        var export = await new ExportSetupOperation(d.Engine).RunAsync(options, Log);
        Assert.True(wroteAfterRelease);
        // The dump of the snapshot started while the writers were held (beside the tree's read), and they ran again before
        // it ended (the writes above, made at "released", are not in it).
        var dumping = _log.FindIndex(l => l.StartsWith("Dumping database 'airbyte'", StringComparison.Ordinal));
        Assert.True(_log.FindIndex(l => l.StartsWith($"Pausing the writers ({d.Server}", StringComparison.Ordinal)) < dumping
            && dumping < _log.FindIndex(l => l.StartsWith($"Writers unpaused ({d.Server}", StringComparison.Ordinal)), string.Join('\n', _log));
        // The live database has the writes; the dump has none of them, and everything committed before the pause.
        Assert.Equal("3", await db.SqlAsync("SELECT count(*) FROM jobs"));
        Assert.Equal(2, export.Manifest.Database!.Rows["public.jobs"]);
        Assert.Equal(2, export.Manifest.Database.Rows["public.attempts"]);
        var dump = File.ReadAllText(Path.Combine(export.Location.Folder!, "database/airbyte.sql"));
        Assert.Contains(before, dump);
        Assert.DoesNotContain(after, dump);
        Assert.DoesNotContain($"changed-{Marker}", dump);
        Assert.Contains("\"cursor\": \"2020-11-02\"", dump); // job 2's attempt output as it was, not '{}'
        Assert.Equal("0", await OpenTransactionsAsync(db)); // the snapshot's transaction ended with the dump

        // Restored, it is exactly the history before the pause.
        await db.WipeAsync();
        await new RestoreSetupOperation(d.Engine).RunAsync(RestoreOf(d, db), Log);
        Assert.Equal(history, await db.HistoryAsync());
    }

    [Fact]
    public async Task The_connector_specs_are_fetched_from_the_running_server_before_the_writers_are_paused()
    {
        await using var d = await TestDeployment.CreateAsync(fixture.Engine, running: true);
        await using var db = await TestDatabase.CreateAsync(d);
        await d.SeedAsync();
        string? serverWhenFetched = null;
        var fetched = false;
        var fetchedWhenQuiesced = false;
        var options = ExportOf(d, db) with
        {
            PrefetchConnectorSpecs = async ct =>
            {
                // Slower than the snapshot session's start: the pause must still wait for it.
                await Task.Delay(TimeSpan.FromSeconds(2), ct);
                serverWhenFetched = await db.StateAsync(d.Server);
                fetched = true;
            },
            Checkpoint = async (at, ct) =>
            {
                if (at != "quiesced") return;
                fetchedWhenQuiesced = fetched;
                Assert.Equal("paused", await db.StateAsync(d.Server));
            },
        };

        await new ExportSetupOperation(d.Engine).RunAsync(options, Log);

        Assert.Equal("running", serverWhenFetched);
        Assert.True(fetchedWhenQuiesced);
    }

    [Theory]
    [InlineData("quiesced", false)]
    [InlineData("released", false)]
    [InlineData("released", true)]
    [InlineData("dumped", false)]
    [InlineData("dumped", true)]
    public async Task A_failure_or_Ctrl_C_during_the_capture_leaves_no_setup_and_every_container_as_it_was(string step, bool cancel)
    {
        await using var d = await TestDeployment.CreateAsync(fixture.Engine, running: true);
        // The scheduler is stopped before the export: it must stay stopped; the server runs: it must run again, not paused.
        await using var db = await TestDatabase.CreateAsync(d, schedulerRunning: false);
        await d.SeedAsync();
        await db.InsertSyncJobAsync("c1", JobConfig(1), Output(1));
        var schedulerBefore = await db.StateAsync(db.Scheduler);
        Assert.NotEqual("running", schedulerBefore);
        using var cts = new CancellationTokenSource();
        var options = ExportOf(d, db) with
        {
            Checkpoint = (at, ct) =>
            {
                if (at != step) return Task.CompletedTask;
                // Paused while the snapshot and the configuration are taken; running again for the dump.
                Assert.Equal(at == "quiesced" ? "paused" : "running", db.StateAsync(d.Server).GetAwaiter().GetResult());
                if (!cancel) throw new DockerOpsException($"injected failure at {at}");
                cts.Cancel();
                ct.ThrowIfCancellationRequested();
                return Task.CompletedTask;
            },
        };

        var error = await Assert.ThrowsAnyAsync<Exception>(() => new ExportSetupOperation(d.Engine).RunAsync(options, Log, cts.Token));
        Assert.True(cancel ? error is OperationCanceledException : error.Message.Contains("injected failure", StringComparison.Ordinal), error.ToString());
        Assert.Equal("running", await db.StateAsync(d.Server));
        Assert.Equal(schedulerBefore, await db.StateAsync(db.Scheduler));
        Assert.Equal("running", await db.StateAsync(db.Container));
        // Nothing that looks like a setup, and no partial left behind.
        Assert.Empty(Directory.Exists(d.Setups) ? Directory.EnumerateFileSystemEntries(d.Setups) : []);
        Assert.False(File.Exists(AirbyteOps.Setups.Database.Writers.RecordFileFor(d.Artifacts, db.Container)));
        // The transaction that held the snapshot is over: no session of the export is left in the database.
        Assert.Equal("0", await OpenTransactionsAsync(db));
    }

    /// <summary>Other sessions inside a transaction (the export's snapshot holder while it lives); waits up to 5 s for a closing one to go.</summary>
    private static async Task<string> OpenTransactionsAsync(TestDatabase db)
    {
        const string Sql = "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND xact_start IS NOT NULL AND pid <> pg_backend_pid()";
        var count = await db.SqlAsync(Sql);
        for (var i = 0; i < 50 && count != "0"; i++)
        {
            await Task.Delay(100);
            count = await db.SqlAsync(Sql);
        }
        return count;
    }

    [Fact]
    public async Task A_stopped_database_is_started_for_the_export_and_stopped_again()
    {
        await using var d = await TestDeployment.CreateAsync(fixture.Engine, running: false);
        await using var db = await TestDatabase.CreateAsync(d, schedulerRunning: false);
        await d.SeedAsync();
        await db.InsertSyncJobAsync("c1", JobConfig(1), Output(1));
        await d.Engine.Containers.StopAsync(db.Container);

        var export = await new ExportSetupOperation(d.Engine).RunAsync(ExportOf(d, db), Log);
        Assert.Equal(1, export.Manifest.Database!.Rows["public.jobs"]);
        Assert.Equal("exited", await db.StateAsync(db.Container));
        Assert.Equal("created", await db.StateAsync(d.Server));
        Assert.Equal(TimeSpan.Zero, export.WritersHeld);
    }

    [Fact]
    public async Task A_deployment_of_a_database_era_Airbyte_is_refused_in_one_line_and_nothing_is_written()
    {
        await using var d = await TestDeployment.CreateAsync(fixture.Engine, running: true, airbyteVersion: "0.29.0-alpha");
        await using var db = await TestDatabase.CreateAsync(d);
        await d.SeedAsync();

        var refused = await Assert.ThrowsAsync<SetupException>(() => new ExportSetupOperation(d.Engine).RunAsync(ExportOf(d, db), Log));
        Assert.DoesNotContain('\n', refused.Message);
        // 0.27.4 – 0.29 (files and database at once) is refused by the era probe; 0.30 – 0.63 has its own path (DbEraSetupTests).
        Assert.Contains($"Airbyte 0.29.0-alpha on {d.Server}", refused.Message);
        Assert.Contains("keeps its configuration both in files and in the database", refused.Message);
        Assert.Contains("Airbyte's own export", refused.Message);
        Assert.False(Directory.Exists(d.Setups) && Directory.EnumerateFileSystemEntries(d.Setups).Any());
        Assert.Equal("running", await db.StateAsync(d.Server));

        // 0.27.3 is still a files deployment.
        await d.RemoveServerAsync();
        await d.CreateServerAsync(running: true, "0.27.3-alpha");
        var export = await new ExportSetupOperation(d.Engine).RunAsync(ExportOf(d, db), Log);
        Assert.NotNull(export.Manifest.Database);
    }

    [Fact]
    public async Task A_dump_from_another_Postgres_major_is_refused_unless_forced()
    {
        await using var d = await TestDeployment.CreateAsync(fixture.Engine, running: true);
        await using var db = await TestDatabase.CreateAsync(d);
        await d.SeedAsync();
        await db.InsertSyncJobAsync("c1", JobConfig(1), Output(1));
        var export = await new ExportSetupOperation(d.Engine).RunAsync(ExportOf(d, db), Log);
        var setupHistory = await db.HistoryAsync();
        // The setup says its dump came from Postgres 14 (as a setup exported from a 14 deployment would).
        var manifestPath = Path.Combine(export.Location.Folder!, SetupManifest.FileName);
        var json = File.ReadAllText(manifestPath).Replace("\"postgresMajor\": 15", "\"postgresMajor\": 14", StringComparison.Ordinal)
            .Replace($"\"postgresVersion\": \"{export.Manifest.Database!.PostgresVersion}\"", "\"postgresVersion\": \"14.9\"", StringComparison.Ordinal);
        File.WriteAllText(manifestPath, json);
        await db.InsertSyncJobAsync("c1", JobConfig(2), Output(2));
        var live = await db.HistoryAsync();

        var refused = await Assert.ThrowsAsync<SetupException>(() => new RestoreSetupOperation(d.Engine).RunAsync(RestoreOf(d, db), Log));
        Assert.Equal($"Setup 'my-setup' holds a database dumped from Postgres 14.9 and container '{db.Container}' runs Postgres {export.Manifest.Database.PostgresVersion} (another major version); pass --force-postgres-major to load it anyway, or restore into a Postgres 14 deployment. Nothing was written.", refused.Message);
        Assert.Equal(live, await db.HistoryAsync());

        await new RestoreSetupOperation(d.Engine).RunAsync(RestoreOf(d, db) with { ForcePostgresMajor = true }, Log);
        Assert.Equal(setupHistory, await db.HistoryAsync());
        Assert.Contains(_log, l => l.StartsWith("--force-postgres-major: loading a dump from Postgres 14.9", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_configuration_only_setup_restores_the_configuration_and_says_state_and_history_are_not_in_it()
    {
        await using var d = await TestDeployment.CreateAsync(fixture.Engine, running: true);
        await using var db = await TestDatabase.CreateAsync(d);
        await d.SeedAsync();
        await db.InsertSyncJobAsync("c1", JobConfig(1), Output(1));
        await new ExportSetupOperation(d.Engine).RunAsync(d.Export("config-only"), Log); // no database asked for
        await db.InsertSyncJobAsync("c1", JobConfig(2), Output(2));
        var live = await db.HistoryAsync();
        await d.DeleteAsync("config/STANDARD_SYNC");

        await new RestoreSetupOperation(d.Engine).RunAsync(RestoreOf(d, db, "config-only"), Log);
        Assert.Contains(_log, l => l == "Setup 'config-only' holds the configuration only: sync state (incremental cursors) and job history are not in it; the deployment's database keeps what it has, so incremental connections may re-read their sources.");
        Assert.Equal(live, await db.HistoryAsync());
        Assert.Equal("running", await db.StateAsync(d.Server));
    }

    [Theory]
    [InlineData(AirbyteOps.Docker.Host.VolumeAccess.Auto)]
    [InlineData(AirbyteOps.Docker.Host.VolumeAccess.Engine)]
    public async Task The_writers_are_stopped_by_the_time_the_staging_is_in_place_and_a_failure_there_starts_them_again_with_the_live_database_untouched(AirbyteOps.Docker.Host.VolumeAccess access)
    {
        await using var d = await TestDeployment.CreateAsync(fixture.Engine, running: true);
        await using var db = await TestDatabase.CreateAsync(d);
        await d.SeedAsync();
        await db.InsertSyncJobAsync("c1", JobConfig(1), Output(1));
        await new ExportSetupOperation(d.Engine).RunAsync(ExportOf(d, db), Log);
        await db.InsertSyncJobAsync("c1", JobConfig(2), Output(2));
        var liveHistory = await db.HistoryAsync();
        (string Server, string Scheduler)? atStaged = null;
        var options = RestoreOf(d, db) with
        {
            VolumeAccess = access,
            Checkpoint = async (at, ct) =>
            {
                if (at != "staged") return;
                atStaged = (await db.StateAsync(d.Server), await db.StateAsync(db.Scheduler));
                throw new DockerOpsException("injected failure at staged");
            },
        };

        var error = await Assert.ThrowsAsync<DockerOpsException>(() => new RestoreSetupOperation(d.Engine).RunAsync(options, Log));

        Assert.Contains("injected failure at staged", error.Message);
        // The stop the database swap needs ran beside the staging (on the direct path, beside the staging tree's write):
        // done by the time the staging is in place, on either data path.
        Assert.Equal(("exited", "exited"), atStaged);
        Assert.Equal("running", await db.StateAsync(d.Server));
        Assert.Equal("running", await db.StateAsync(db.Scheduler));
        Assert.Equal(liveHistory, await db.HistoryAsync());
        Assert.DoesNotContain(await db.DatabasesAsync(), n => n.Contains("__abops", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("db-staged")]
    [InlineData("db-swapped")]
    public async Task The_build_killed_during_the_database_restore_leaves_the_old_database_or_the_next_restore_puts_it_back_and_completes(string step)
    {
        await using var d = await TestDeployment.CreateAsync(fixture.Engine, running: true);
        await using var db = await TestDatabase.CreateAsync(d);
        await d.SeedAsync();
        await db.InsertSyncJobAsync("c1", JobConfig(1), Output(1));
        await new ExportSetupOperation(d.Engine).RunAsync(ExportOf(d, db), Log);
        var setupHistory = await db.HistoryAsync();
        var setupTree = await d.ListAsync();
        await db.InsertSyncJobAsync("c1", JobConfig(2), Output(2));
        await d.DeleteAsync("config/STANDARD_SYNC");
        var liveHistory = await db.HistoryAsync();
        var liveTree = await d.ListAsync();

        using (var child = ChildProcess.Start(typeof(Program).Assembly, "crash-restore", step, "my-setup", d.Artifacts, d.Server, d.Volume, db.Container, db.Scheduler))
        {
            var reached = await ChildProcess.WaitForLineAsync(child, $"AT {step}", TimeSpan.FromMinutes(2));
            await ChildProcess.KillAsync(child);
            if (!reached) Assert.Fail($"the restore never reached {step}: " + await child.StandardError.ReadToEndAsync());
        }
        Assert.Equal(liveTree, await d.ListAsync());
        if (step == "db-staged")
        {
            // The old database is still the live one, untouched; the writers were stopped for the swap while the staging was
            // written (they are stopped by then), and their record tells the next run to start them again.
            Assert.Equal(liveHistory, await db.HistoryAsync());
            Assert.Contains("airbyte__abops_staged", await db.DatabasesAsync());
            Assert.Equal("exited", await db.StateAsync(d.Server));
            Assert.Equal("exited", await db.StateAsync(db.Scheduler));
        }
        else
        {
            // Killed after the one-transaction swap: the previous database is kept under its __abops_old name, the writers are stopped.
            Assert.Equal(liveHistory, await db.HistoryAsync("airbyte__abops_old"));
            Assert.Equal("exited", await db.StateAsync(d.Server));
        }

        var next = await new RestoreSetupOperation(d.Engine).RunAsync(RestoreOf(d, db), Log);
        Assert.Contains(step == "db-staged" ? "removed the staged database 'airbyte__abops_staged'" : "database 'airbyte' was put back as it was", next.Recovered);
        if (step == "db-staged") Assert.Contains($"left the writers stopped; put them back ({d.Server}, {db.Scheduler})", next.Recovered);
        Assert.Equal(setupHistory, await db.HistoryAsync());
        Assert.Equal(setupTree, await d.ListAsync());
        Assert.DoesNotContain(await db.DatabasesAsync(), n => n.Contains("__abops", StringComparison.Ordinal));
        Assert.Equal("running", await db.StateAsync(d.Server));
        Assert.Equal("running", await db.StateAsync(db.Scheduler));
    }
}
