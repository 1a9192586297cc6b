using System.Text.Json;
using AirbyteOps.Docker;
using AirbyteOps.IO;
using AirbyteOps.Setups.Era;

namespace AirbyteOps.Setups.DbEra;

/// <summary>
/// RestoreSetup for a database-era deployment (Airbyte 0.30 – 0.63), "all or nothing":
/// <list type="number">
/// <item>checked before anything is written: the setup is a database-era one (a 0.7 setup is refused), its dump matches
/// its checksum and its secrets are all there, the deployment's Airbyte and Flyway versions are not older than the
/// setup's (Flyway only migrates forward: a downgrade is refused; an older setup is allowed, Airbyte migrates it on
/// start), the Postgres major matches;</item>
/// <item>what a killed earlier run left is finished (<see cref="DatabaseRestore.RecoverAsync(Func{CancellationToken, Task{bool}}, Action{string}, CancellationToken)"/>,
/// with this restore's own record in &lt;artifacts&gt;/dbera/ saying "swapped, not committed");</item>
/// <item>a safety snapshot of the live database (a database-era setup itself) goes to &lt;artifacts&gt;/snapshots/;</item>
/// <item>the dump is loaded beside the live database (which keeps serving), the writers are stopped, one transaction
/// swaps the two; the Temporal databases are emptied (dropped: airbyte-temporal's auto-setup recreates them);</item>
/// <item>the writers start, the server's health is awaited and the API is asked for every workspace, source, destination
/// and connection: the ids must be the setup's; any failure renames the previous database back.</item>
/// </list>
/// </summary>
internal sealed class DbEraRestore(DockerEngine engine, RestoreOptions options)
{
    /// <summary>The databases airbyte-temporal keeps in airbyte-db: never carried by a setup, emptied by a restore.</summary>
    public static readonly IReadOnlyList<string> TemporalDatabases = ["temporal", "temporal_visibility"];

    public static string SwapRecordFor(string artifacts, string databaseContainer) =>
        Path.Combine(Path.GetFullPath(artifacts), "dbera", databaseContainer + ".swap.json");

    public async Task<RestoreResult> RunAsync(SetupContent content, SetupLocation location, Deployment deployment, EraGate.Judgement era, Action<string> log, CancellationToken ct)
    {
        var manifest = content.Manifest!;
        var setup = location.Name;
        if (content.Database is null)
            throw new SetupException($"Setup '{setup}' says it is a database-era setup but holds no database; the setup is damaged. Nothing was written.");
        CheckVersions(manifest, era, setup, log);

        var database = await DatabaseRestore.PrepareAsync(engine, options, deployment, content.Database, setup, log, ct).ConfigureAwait(false)
            ?? throw new SetupException($"Setup '{setup}' holds a database, but there is no database container '{options.DatabaseContainer}'; pass --db-container. Nothing was written.");
        var record = SwapRecordFor(options.ArtifactsDirectory, database.Target.Name);
        var recovered = new List<string>();
        if (await Writers.RecoverAsync(engine, Writers.RecordFileFor(options.ArtifactsDirectory, database.Target.Name), ct).ConfigureAwait(false) is { } w) recovered.Add(w);
        if (await database.RecoverAsync(_ => Task.FromResult(File.Exists(record)), log, ct).ConfigureAwait(false) is { } r) recovered.Add(r);
        if (File.Exists(record)) File.Delete(record);
        foreach (var line in recovered) log(line);
        var recoveredText = recovered.Count == 0 ? null : string.Join(" ", recovered);

        var shell = database.Target.Shell(engine);
        var snapshotRoot = options.SnapshotDirectory ?? Path.Combine(options.ArtifactsDirectory, "snapshots");
        Directory.CreateDirectory(snapshotRoot);
        var snapshotPath = Path.GetFullPath(Path.Combine(snapshotRoot, $"{database.Target.Name}-{DateTime.UtcNow:yyyyMMdd-HHmmss}"));
        var snapshotPartial = AtomicFile.PartialPath(snapshotPath);
        if (Directory.Exists(snapshotPartial)) Directory.Delete(snapshotPartial, recursive: true);
        Directory.CreateDirectory(snapshotPartial);
        var liveDump = await database.SnapshotAsync(snapshotPartial, log, ct).ConfigureAwait(false);
        if (database.Identical(liveDump))
        {
            Directory.Delete(snapshotPartial, recursive: true);
            log($"The live database '{database.Live}' is already identical to setup '{setup}'; nothing changed.");
            return new RestoreResult(setup, database.Target.Name, true, 0, null, recoveredText, new Dictionary<string, int>(), content.MissingSecrets);
        }
        var liveConfigs = await EraGate.NewestMigrationAsync(shell, database.Live, "airbyte_configs_migrations", ct).ConfigureAwait(false);
        var liveJobs = await EraGate.NewestMigrationAsync(shell, database.Live, "airbyte_jobs_migrations", ct).ConfigureAwait(false);
        var source = new SetupSource("database", database.Target.Name, database.Live, engine.Endpoint.ToString(), Environment.MachineName);
        var snapshot = await DbEraExport.BuildAsync(liveDump!, era.Facts?.AirbyteVersion, liveConfigs, liveJobs, source, snapshotPartial, SecretsMode.Sidecar, ct).ConfigureAwait(false);
        await snapshot.PublishSecretsAsync(Path.Combine(snapshotRoot, Path.GetFileName(snapshotPath) + SecretVault.SecretsSuffix)).ConfigureAwait(false);
        snapshot.PublishFolder(snapshotPath);
        log($"Safety snapshot of the live database: {snapshotPath} (restore it with --setup {snapshotPath}).");

        ConfigInventory expected;
        try
        {
            await database.StageAsync(log, ct).ConfigureAwait(false);
            expected = await ConfigInventory.ReadAsync(shell, database.Staged, ct).ConfigureAwait(false);
            await CheckpointAsync("db-staged", ct).ConfigureAwait(false);

            // Written before the swap: a run killed from here on is rolled back by the next one (old database renamed back).
            WriteRecord(record, setup);
            await database.SwapAsync(log, ct).ConfigureAwait(false);
            await CheckpointAsync("db-swapped", ct).ConfigureAwait(false);
            await EmptyTemporalAsync(shell, log, ct).ConfigureAwait(false);
            await database.VerifyAsync(log, ct).ConfigureAwait(false);
            await database.ReleaseWritersAsync(log).ConfigureAwait(false);
            await VerifyThroughApiAsync(expected, log, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || ct.IsCancellationRequested)
        {
            var why = ex switch
            {
                AirbyteOpsException => ex.Message,
                OperationCanceledException => "interrupted (Ctrl-C or SIGTERM)",
                _ => $"{ex.GetType().Name}: {ex.Message.Split('\n')[0]}",
            };
            log($"Restore failed ({why}); putting the previous database back...");
            try
            {
                await database.RollbackAsync(log).ConfigureAwait(false);
                if (File.Exists(record)) File.Delete(record);
            }
            catch (Exception rollback)
            {
                throw new SetupException($"{why.TrimEnd('.')}. Putting the previous database back failed too ({rollback.Message.TrimEnd('.')}); run ./build.sh RestoreSetup again to finish the rollback, or restore the safety snapshot {snapshotPath}.", ex);
            }
            throw new SetupException($"{why.TrimEnd('.')}. The previous database was put back; nothing changed (safety snapshot: {snapshotPath}).", ex);
        }
        if (File.Exists(record)) File.Delete(record);
        await database.CommitAsync(log, ct).ConfigureAwait(false);
        log($"Restored setup '{setup}' into database '{database.Live}' of container '{database.Target.Name}': {expected.Counts()}, {manifest.Database!.Summary()} (secrets, sync state and job history as exported).");
        var counts = new Dictionary<string, int>
        {
            ["workspaces"] = expected.Workspaces.Count, ["sources"] = expected.Sources.Count, ["destinations"] = expected.Destinations.Count, ["connections"] = expected.Connections.Count,
        };
        return new RestoreResult(setup, database.Target.Name, false, 0, snapshotPath, recoveredText, counts, content.MissingSecrets);
    }

    /// <summary>Flyway migrates only forward: a setup from a newer Airbyte (or with newer migrations) than the deployment is a downgrade.</summary>
    private static void CheckVersions(SetupManifest manifest, EraGate.Judgement era, string setup, Action<string> log)
    {
        var deployment = era.Facts;
        var refusals = new List<string>();
        if (manifest.AirbyteVersion is { } sv && deployment?.AirbyteVersion is { } dv && EraGate.CompareVersions(sv, dv) > 0)
            refusals.Add($"Airbyte {sv} is newer than the deployment's {dv}");
        if (manifest.Database?.ConfigsMigration is { } sc && deployment?.Database?.NewestConfigsMigration is { } dc && EraGate.CompareVersions(sc, dc) > 0)
            refusals.Add($"its configs database is at Flyway {sc}, the deployment's at {dc}");
        if (manifest.Database?.JobsMigration is { } sj && deployment?.Database?.NewestJobsMigration is { } dj && EraGate.CompareVersions(sj, dj) > 0)
            refusals.Add($"its jobs database is at Flyway {sj}, the deployment's at {dj}");
        if (refusals.Count > 0)
            throw new SetupException($"Refusing to restore setup '{setup}' into an older Airbyte: {string.Join("; ", refusals)}. Airbyte's database migrations only go forward, so the older server cannot run on it; upgrade the deployment to {manifest.AirbyteVersion ?? "the setup's version"} (or later) first, then restore. Nothing was changed.");
        if (manifest.AirbyteVersion is { } older && deployment?.AirbyteVersion is { } newer && EraGate.CompareVersions(older, newer) < 0)
            log($"Setup '{setup}' is from Airbyte {older}; the deployment runs {newer}: its bootloader migrates the restored database forward when it next starts.");
    }

    /// <summary>The Temporal databases (workflow history of the moment they were left) do not fit the restored jobs: dropped, recreated empty by airbyte-temporal's auto-setup when it starts.</summary>
    private async Task EmptyTemporalAsync(PostgresShell shell, Action<string> log, CancellationToken ct)
    {
        var present = (await shell.DatabasesAsync(ct).ConfigureAwait(false)).Intersect(TemporalDatabases, StringComparer.Ordinal).ToList();
        if (present.Count == 0) return;
        log($"Emptying the Temporal databases ({string.Join(", ", present)}): airbyte-temporal recreates them when it starts, with no workflow of the replaced database left over.");
        foreach (var name in present)
            await shell.QueryAsync(PostgresShell.MaintenanceDatabase, $"DROP DATABASE IF EXISTS {PostgresShell.Identifier(name)} WITH (FORCE)", ct).ConfigureAwait(false);
    }

    private async Task VerifyThroughApiAsync(ConfigInventory expected, Action<string> log, CancellationToken ct)
    {
        if (options.ConfigApi is not { } api)
        {
            log("No server API given: the restored configuration was counted in the database only.");
            return;
        }
        log("Waiting for the server's health...");
        var took = await Readiness.WaitUntilAsync($"server '{options.ServerContainer}' to be healthy with the restored database", api.IsHealthyAsync, options.HealthTimeout, ct: ct).ConfigureAwait(false);
        log($"Server healthy after {took.TotalSeconds:0.#} s; reading workspaces, sources, destinations and connections back through the API...");
        var answered = await api.ReadInventoryAsync(ct).ConfigureAwait(false);
        var differences = expected.Differences(answered);
        if (differences.Count > 0)
            throw new SetupException($"The server's API does not answer with the restored configuration ({string.Join("; ", differences)}).");
        log($"The API answers with the setup's {expected.Counts()}, every id as in the setup.");
    }

    private static void WriteRecord(string record, string setup)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(record)!);
        var temporary = record + ".tmp";
        File.WriteAllBytes(temporary, JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["setup"] = setup, ["at"] = DateTimeOffset.UtcNow.ToString("O") }));
        File.Move(temporary, record, overwrite: true);
    }

    private Task CheckpointAsync(string step, CancellationToken ct) => options.Checkpoint?.Invoke(step, ct) ?? Task.CompletedTask;
}
