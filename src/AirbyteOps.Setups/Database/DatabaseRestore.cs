using AirbyteOps.Docker;

namespace AirbyteOps.Setups.Database;

/// <summary>
/// RestoreSetup's database part, "both or neither" with the configuration:
/// <list type="number">
/// <item>the setup's dump is loaded (one transaction) into a new database <c>&lt;db&gt;__abops_staged</c> beside the live
/// one, and its rows are counted against the manifest; the live database is untouched and keeps serving;</item>
/// <item>once the configuration swap has begun, the writers are stopped (a database can be renamed only when nobody is
/// connected) and ONE transaction renames live → <c>&lt;db&gt;__abops_old</c> and staged → live: it happens entirely or
/// not at all;</item>
/// <item>after both are verified and the configuration committed, the old database is dropped; on any failure the same
/// kind of transaction renames them back.</item>
/// </list>
/// What exists tells a later run how far a killed one got (<see cref="RecoverAsync"/>): an old database while the
/// configuration swap is begun but not committed → rename back; an old database otherwise → the restore had committed,
/// drop it; a staged database → drop it.
/// </summary>
internal sealed class DatabaseRestore
{
    public const string StagedSuffix = "__abops_staged";
    public const string OldSuffix = "__abops_old";

    private readonly DockerEngine _engine;
    private readonly RestoreOptions _options;
    private readonly PostgresShell _shell;
    private readonly DatabaseContent? _content;
    private Writers? _writers;
    private bool _swapped;
    private (string Version, int Major)? _serverVersion;
    // The server's databases as PrepareAsync's exec listed them, for RecoverAsync's first look (one exec fewer); used once.
    private IReadOnlyList<string>? _databases;
    // The live database's rows, counted in the swap's own psql session right after the renames (the writers stopped).
    private IReadOnlyDictionary<string, long>? _liveRows;
    // A psql session on the maintenance database, opened while the writers stop (an exec started then costs no time of its
    // own: the stop is a wait), kept idle until the commit sends it the previous database's drop: the drop is then one
    // statement, not a docker exec and a psql start. Closed unused by the rollback.
    private PsqlSession? _commitSession;

    private DatabaseRestore(DockerEngine engine, RestoreOptions options, DatabaseTarget target, DatabaseContent? content)
    {
        _engine = engine;
        _options = options;
        Target = target;
        _content = content;
        _shell = target.Shell(engine);
    }

    public DatabaseTarget Target { get; }
    public string Live => Target.Database;
    public string Staged => Live + StagedSuffix;
    public string Old => Live + OldSuffix;
    /// <summary>True when the setup carries a database to restore (else this only recovers and snapshots nothing).</summary>
    public bool Restores => _content is not null;
    private string RecordFile => Writers.RecordFileFor(_options.ArtifactsDirectory, Target.Name);

    /// <summary>
    /// The database side of a restore, checked before anything is written: a setup with a database needs the deployment's
    /// database container, running, on the same Postgres major (unless forced). Null when the deployment has no database
    /// and the setup carries none.
    /// </summary>
    public static async Task<DatabaseRestore?> PrepareAsync(DockerEngine engine, RestoreOptions options, Deployment deployment, DatabaseContent? content, string setup, Action<string> log, CancellationToken ct)
    {
        if (content is null)
            log($"Setup '{setup}' holds the configuration only: sync state (incremental cursors) and job history are not in it; the deployment's database keeps what it has, so incremental connections may re-read their sources.");
        var target = await DatabaseTarget.LocateAsync(engine, options.DatabaseContainer, deployment.ServerEnvironment, ct).ConfigureAwait(false);
        if (target is null)
        {
            if (content is null) return null;
            throw new DockerOpsException($"Setup '{setup}' holds a database, but there is no database container '{options.DatabaseContainer ?? "(none given)"}'; start Airbyte (./build.sh ComposeUp) or pass --db-container. Nothing was written.");
        }
        var restore = new DatabaseRestore(engine, options, target, content);
        if (!target.Container.IsRunning)
        {
            if (content is null) return restore;
            throw new DockerOpsException($"Database container '{target.Name}' is {target.Container.State}; start Airbyte (./build.sh ComposeUp) and run RestoreSetup again. Nothing was written.");
        }
        // A running Postgres whose real server (not a first start's temporary one) answers the version query is ready: asked
        // first, it saves a readiness exec, and the same exec lists its databases for RecoverAsync; one that does not answer
        // yet is waited for (PostgresShell.ReadyAsync), then asked.
        var answered = content is null ? null : await restore._shell.TryServerVersionAndDatabasesAsync(ct).ConfigureAwait(false);
        if (answered is null) await target.EnsureRunningAsync(engine, options.DatabaseTimeout, log, ct).ConfigureAwait(false);
        if (content is null) return restore;
        restore._databases = answered?.Databases;
        var (version, major) = answered?.Version ?? await restore._shell.ServerVersionAsync(ct).ConfigureAwait(false);
        restore._serverVersion = (version, major);
        var manifest = content.Manifest;
        if (manifest.PostgresMajor != major)
        {
            if (!options.ForcePostgresMajor)
                throw new SetupException($"Setup '{setup}' holds a database dumped from Postgres {manifest.PostgresVersion} and container '{target.Name}' runs Postgres {version} (another major version); pass --force-postgres-major to load it anyway, or restore into a Postgres {manifest.PostgresMajor} deployment. Nothing was written.");
            log($"--force-postgres-major: loading a dump from Postgres {manifest.PostgresVersion} into Postgres {version}.");
        }
        log($"Database dump '{manifest.File}' matches its checksum ({manifest.Summary()}, from Postgres {manifest.PostgresVersion}); it goes into database '{target.Database}' of container '{target.Name}'.");
        if (content.MissingSecrets.Count > 0)
            log($"--allow-missing-secrets: {content.MissingSecrets.Count} placeholder(s) stay in the restored database.");
        return restore;
    }

    /// <summary>Finishes what a killed earlier restore left in the database server. Run before the configuration's own recovery.</summary>
    public Task<string?> RecoverAsync(MountedVolume volume, Action<string> log, CancellationToken ct) =>
        RecoverAsync(async c =>
        {
            var area = LiveTree.WorkDirectory;
            var workArea = await volume.StatAsync(area, c).ConfigureAwait(false) is not null;
            var swapBegun = workArea && await volume.StatAsync($"{area}/{VolumeWorkArea.SwapBegunMarker}", c).ConfigureAwait(false) is not null;
            var committed = workArea && await volume.StatAsync($"{area}/{VolumeWorkArea.CommittedMarker}", c).ConfigureAwait(false) is not null;
            return swapBegun && !committed;
        }, log, ct);

    /// <summary>
    /// The same, with what says whether the killed run had swapped but not committed (the configuration's markers in the
    /// volume, or for a database-era restore its own record): then the old database is renamed back, else dropped.
    /// </summary>
    public async Task<string?> RecoverAsync(Func<CancellationToken, Task<bool>> swapUncommitted, Action<string> log, CancellationToken ct)
    {
        if (!Target.Container.IsRunning) return null;
        var databases = _databases ?? await _shell.DatabasesAsync(ct).ConfigureAwait(false);
        _databases = null;
        var said = new List<string>();
        if (databases.Contains(Old))
        {
            // Renaming back or dropping changes the list: read again below.
            databases = null;
            if (await swapUncommitted(ct).ConfigureAwait(false))
            {
                var writers = await Writers.StopAsync(_engine, WriterNames(), RecordFile, log, ct).ConfigureAwait(false);
                try
                {
                    await RenameBackAsync(ct).ConfigureAwait(false);
                }
                finally
                {
                    await writers.ReleaseAsync(log).ConfigureAwait(false);
                }
                said.Add($"An earlier restore was interrupted after it swapped the database in; database '{Live}' was put back as it was");
            }
            else
            {
                await DropAsync(Old, ct).ConfigureAwait(false);
                said.Add($"An earlier restore had committed; dropped its leftover copy of the previous database ('{Old}')");
            }
        }
        if ((databases ?? await _shell.DatabasesAsync(ct).ConfigureAwait(false)).Contains(Staged))
        {
            await DropAsync(Staged, ct).ConfigureAwait(false);
            said.Add($"removed the staged database '{Staged}' of an interrupted restore (the live database was never touched by it)");
        }
        return said.Count == 0 ? null : string.Join("; ", said) + ".";
    }

    /// <summary>pg_dump of the live database, for the safety snapshot (and to tell whether it already is the setup's).</summary>
    /// <summary>Streamed into the snapshot's folder (<paramref name="folder"/>), secrets cut out to its sidecar values.</summary>
    public async Task<DatabaseCapture.Dump?> SnapshotAsync(string folder, Action<string> log, CancellationToken ct)
    {
        if (!Restores) return null;
        log($"Dumping the live database '{Live}' (safety snapshot)...");
        return await DatabaseCapture.DumpAsync(_engine, Target, folder, SecretsMode.Sidecar, new HashSet<string>(), ct, serverVersion: _serverVersion).ConfigureAwait(false);
    }

    /// <summary>True when the live database dumps to exactly the setup's dump (nothing to restore there).</summary>
    public bool Identical(DatabaseCapture.Dump? live) =>
        !Restores || (live is not null && live.Extracted.Identity == _content!.Identity);

    /// <summary>Step 1: the setup's dump into the staged database, in one transaction, rows counted against the manifest.</summary>
    public async Task StageAsync(Action<string> log, CancellationToken ct)
    {
        if (!Restores) return;
        log($"Loading the database dump into '{Staged}' beside the live database (which keeps serving)...");
        // One psql session, one exec: a leftover staged database dropped, the new one created (each its own statement, as
        // DROP DATABASE needs), the dump loaded into it in one transaction, and its rows counted after the commit.
        var tables = _content!.Manifest.Rows.Keys.ToList();
        string? printed = null;
        await _content.LoadIntoAsync(async dump => printed = await _shell.CreateAndLoadAsync(
            [DropStatement(Staged), $"CREATE DATABASE {PostgresShell.Identifier(Staged)} TEMPLATE template0 ENCODING 'UTF8'"],
            Staged, dump, tables.Count == 0 ? "" : PostgresShell.CountRowsSql(tables, PostgresShell.RowsMarker), ct).ConfigureAwait(false), ct).ConfigureAwait(false);
        CheckRows(PostgresShell.ParseCounts(printed ?? "", PostgresShell.RowsMarker), Staged, "the staged database");
    }

    /// <summary>
    /// Step 2's first half: the writers stopped (a database is renamed only while nobody is connected to it). It changes
    /// nothing the restore replaces, so it may run while the staging is written; any failure after it starts them again
    /// (<see cref="RollbackAsync"/>), and a kill leaves their record, which the next run puts back.
    /// </summary>
    public async Task StopWritersAsync(Action<string> log, CancellationToken ct)
    {
        if (!Restores || _writers is not null) return;
        OpenCommitSession();
        _writers = await Writers.StopAsync(_engine, WriterNames(), RecordFile, log, ct).ConfigureAwait(false);
    }

    /// <summary>Step 2: writers stopped (unless <see cref="StopWritersAsync"/> did it), then live and staged swapped by renames in one transaction.</summary>
    public async Task SwapAsync(Action<string> log, CancellationToken ct)
    {
        if (!Restores) return;
        await StopWritersAsync(log, ct).ConfigureAwait(false);
        log($"Swapping the database in (one transaction: '{Live}' → '{Old}', '{Staged}' → '{Live}')...");
        var live = PostgresShell.Identifier(Live);
        // One psql session: other clients' connections ended first (a rename waits up to 5 s for them to go), then the swap,
        // then (the same session, connected to the database now live) its rows counted for VerifyAsync: no exec of its own.
        var tables = _content!.Manifest.Rows.Keys.ToList();
        List<string> commands = [TerminateStatement(Live),
            $"BEGIN; ALTER DATABASE {live} RENAME TO {PostgresShell.Identifier(Old)}; ALTER DATABASE {PostgresShell.Identifier(Staged)} RENAME TO {live}; COMMIT;"];
        if (tables.Count > 0) commands.AddRange(["\\connect " + PostgresShell.MetaArgument(Live), PostgresShell.CountRowsSql(tables, PostgresShell.RowsMarker)]);
        _liveRows = null;
        string printed;
        try
        {
            printed = await _shell.QueryAsync(PostgresShell.MaintenanceDatabase, commands, ct).ConfigureAwait(false);
        }
        catch
        {
            // The session may have failed after the renames committed (in the count, say): whether they did is asked, not assumed.
            _swapped = await SwappedAsync().ConfigureAwait(false);
            throw;
        }
        _swapped = true;
        _liveRows = PostgresShell.ParseCounts(printed, PostgresShell.RowsMarker);
    }

    /// <summary>True when the previous database is under its old-copy name (the swap's renames committed); true too when that cannot be asked (the rollback then tries the renames back and says so if it cannot).</summary>
    private async Task<bool> SwappedAsync()
    {
        try
        {
            return (await _shell.DatabasesAsync(CancellationToken.None).ConfigureAwait(false)).Contains(Old);
        }
        catch (AirbyteOpsException)
        {
            return true;
        }
    }

    /// <summary>Step 3: the live database counted against the manifest (counted by the swap's session, else now).</summary>
    public async Task VerifyAsync(Action<string> log, CancellationToken ct)
    {
        if (!Restores) return;
        log("Counting the live database's rows against the manifest...");
        if (_liveRows is { } counted) CheckRows(counted, Live, "the restored database");
        else await VerifyRowsAsync(Live, "the restored database", ct).ConfigureAwait(false);
    }

    /// <summary>The writers run again (before the server's health is awaited).</summary>
    public async Task ReleaseWritersAsync(Action<string> log, string? first = null, TaskCompletionSource? firstBack = null)
    {
        try
        {
            if (_writers is not null) await _writers.ReleaseAsync(log, first, firstBack).ConfigureAwait(false);
            _writers = null;
        }
        finally
        {
            firstBack?.TrySetResult();
        }
    }

    /// <summary>Step 4, after the configuration committed: the previous database is dropped (a failure here only leaves a copy the next run drops).</summary>
    public async Task CommitAsync(Action<string> log, CancellationToken ct)
    {
        if (!_swapped)
        {
            await CloseCommitSessionAsync(null).ConfigureAwait(false);
            return;
        }
        try
        {
            // Over the session opened at the swap; one that cannot do it (it ended, or the drop failed in it) leaves it to an
            // exec of its own, as before (IF EXISTS: a drop already done is no error).
            if (!await CloseCommitSessionAsync(DropStatement(Old)).ConfigureAwait(false)) await DropAsync(Old, ct).ConfigureAwait(false);
        }
        catch (AirbyteOpsException ex)
        {
            log($"The restore is complete, but dropping the previous database '{Old}' failed ({ex.Message.TrimEnd('.')}); the next RestoreSetup drops it.");
        }
    }

    /// <summary>Any failure: the live database renamed back if it was swapped, the staged one dropped, the writers started again.</summary>
    public async Task RollbackAsync(Action<string> log)
    {
        if (!Restores) return;
        await CloseCommitSessionAsync(null).ConfigureAwait(false);
        try
        {
            if (_swapped)
            {
                // Writers already started again (the failure came while waiting for health) are stopped once more for the rename.
                _writers ??= await Writers.StopAsync(_engine, WriterNames(), RecordFile, log, CancellationToken.None).ConfigureAwait(false);
                log($"Putting the previous database '{Live}' back...");
                await RenameBackAsync(CancellationToken.None).ConfigureAwait(false);
                _swapped = false;
            }
            await DropAsync(Staged, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            await ReleaseWritersAsync(log).ConfigureAwait(false);
        }
    }

    private void OpenCommitSession() =>
        _commitSession ??= new PsqlSession(_engine, Target.Name, Target.User, PostgresShell.MaintenanceDatabase);

    /// <summary>
    /// Sends <paramref name="statement"/> (when given) to the commit session, closes it and waits for psql to exit; true when
    /// the statement ran there (psql exited 0). Never throws: a session that could not be used is told by false, and the
    /// caller falls back to its own exec (or, in a rollback, goes on undoing).
    /// </summary>
    private async Task<bool> CloseCommitSessionAsync(string? statement)
    {
        if (Interlocked.Exchange(ref _commitSession, null) is not { } session) return false;
        if (statement is not null) session.Write(statement + ";\n");
        var result = await session.CloseAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        return statement is not null && result is { Succeeded: true };
    }

    private async Task RenameBackAsync(CancellationToken ct)
    {
        var live = PostgresShell.Identifier(Live);
        await _shell.QueryAsync(PostgresShell.MaintenanceDatabase, [TerminateStatement(Live),
            $"BEGIN; ALTER DATABASE {live} RENAME TO {PostgresShell.Identifier(Staged)}; ALTER DATABASE {PostgresShell.Identifier(Old)} RENAME TO {live}; COMMIT;",
            DropStatement(Staged)], ct).ConfigureAwait(false);
    }

    private async Task VerifyRowsAsync(string database, string what, CancellationToken ct)
    {
        var expected = _content!.Manifest.Rows;
        CheckRows(await _shell.CountRowsAsync(database, expected.Keys, ct).ConfigureAwait(false), database, what);
    }

    private void CheckRows(IReadOnlyDictionary<string, long> actual, string database, string what)
    {
        var expected = _content!.Manifest.Rows;
        var wrong = expected.Where(kv => !actual.TryGetValue(kv.Key, out var n) || n != kv.Value).Select(kv => $"{kv.Key}: {(actual.TryGetValue(kv.Key, out var n) ? n : 0)} rows, manifest {kv.Value}").ToList();
        if (wrong.Count > 0)
            throw new SetupException($"Reading back {what} '{database}' does not match the manifest ({string.Join("; ", wrong.Take(3))}).");
    }

    /// <summary>Connections other clients (a webapp, a psql) hold on a database block its rename; the writers are already stopped.</summary>
    private static string TerminateStatement(string database) =>
        $"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = {PostgresShell.Literal(database)} AND pid <> pg_backend_pid()";

    private static string DropStatement(string database) => $"DROP DATABASE IF EXISTS {PostgresShell.Identifier(database)} WITH (FORCE)";

    private Task DropAsync(string database, CancellationToken ct) =>
        _shell.QueryAsync(PostgresShell.MaintenanceDatabase, DropStatement(database), ct);

    private IEnumerable<string> WriterNames() => new[] { _options.ServerContainer, _options.SchedulerContainer }.OfType<string>().Concat(_options.ExtraWriters);
}
