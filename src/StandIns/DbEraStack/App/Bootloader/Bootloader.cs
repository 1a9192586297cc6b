using System.Text.Json.Nodes;
using AirbyteOps.StandIns.DbEraStack.Schema;
using Npgsql;
using NpgsqlTypes;

namespace AirbyteOps.StandIns.DbEraStack.Bootloader;

/// <summary>
/// Stand-in for airbyte/bootloader:0.50.33. Like the real one it waits for the database, brings the configs and jobs
/// databases to the newest Flyway migration of its version (here: the schema dumps of 0.50.33 on an empty database,
/// then one history row per migration), records the version, creates the default workspace when there is none, seeds
/// the connector definitions, and exits 0. Run again it changes nothing. A database whose history is newer than this
/// version is refused, as Flyway refuses a downgrade.
/// </summary>
public static class Bootloader
{
    /// <summary>One lock for every bootloader run on the database (a second one waits, then finds everything done).</summary>
    private const long AdvisoryLock = 5_033_000_001;

    public static async Task RunAsync(Settings settings, Action<string> log, TimeSpan wait, CancellationToken ct = default)
    {
        await using var source = NpgsqlDataSource.Create(settings.RequireDatabase());
        await WaitForDatabaseAsync(source, log, wait, ct).ConfigureAwait(false);
        await using var connection = await source.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await ExecuteAsync(connection, tx, $"SELECT pg_advisory_xact_lock({AdvisoryLock})", ct).ConfigureAwait(false);

        var migrations = FlywayMigrations.Parse(ReferenceFiles.FlywayMigrationList);
        foreach (var (database, dump) in new[] { ("configs", ReferenceFiles.ConfigsSchemaDump), ("jobs", ReferenceFiles.JobsSchemaDump) })
        {
            var history = $"airbyte_{database}_migrations";
            var newest = FlywayMigrations.Newest(migrations, database);
            if (!await TableExistsAsync(connection, tx, history, ct).ConfigureAwait(false))
            {
                log($"Creating the {database} database's tables from the 0.50.33 schema dump ...");
                await ExecuteAsync(connection, tx, SchemaScript.FromDump(dump), ct).ConfigureAwait(false);
            }
            var applied = await AppliedVersionsAsync(connection, tx, history, ct).ConfigureAwait(false);
            var newer = applied.Where(v => FlywayMigrations.CompareVersions(v, newest.Version) > 0).OrderBy(v => v, Comparer<string>.Create(FlywayMigrations.CompareVersions)).LastOrDefault();
            if (newer is not null)
                throw new InvalidOperationException($"The {database} database was migrated to {newer} by a newer Airbyte; {settings.Version} knows migrations up to {newest.Version} and cannot go back.");
            var missing = migrations.Where(m => m.Database == database && !applied.Contains(m.Version)).ToList();
            if (missing.Count == 0) { log($"The {database} database is at {newest.Version}; nothing to migrate."); continue; }
            await RecordMigrationsAsync(connection, tx, history, missing, ct).ConfigureAwait(false);
            log($"Recorded {missing.Count} {database} migration(s); the newest is {newest.Version} ({newest.Description}).");
        }

        await SetMetadataAsync(connection, tx, settings.Version, ct).ConfigureAwait(false);
        await CreateWorkspaceIfNoneExistsAsync(connection, tx, log, ct).ConfigureAwait(false);
        await SeedDefinitionsAsync(connection, tx, log, ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
        log($"Bootloader done: the database is ready for Airbyte {settings.Version}.");
    }

    private static async Task WaitForDatabaseAsync(NpgsqlDataSource source, Action<string> log, TimeSpan wait, CancellationToken ct)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var said = false;
        while (true)
        {
            try
            {
                await using var connection = await source.OpenConnectionAsync(ct).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException && clock.Elapsed < wait)
            {
                if (!said) { log($"Waiting for the database ({ex.Message}) ..."); said = true; }
                await Task.Delay(500, ct).ConfigureAwait(false);
            }
        }
    }

    private static async Task<bool> TableExistsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string table, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("SELECT to_regclass(@name) IS NOT NULL", connection, tx);
        command.Parameters.AddWithValue("name", "public." + table);
        return (bool)(await command.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
    }

    private static async Task<HashSet<string>> AppliedVersionsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string history, CancellationToken ct)
    {
        var versions = new HashSet<string>(StringComparer.Ordinal);
        await using var command = new NpgsqlCommand($"SELECT version FROM \"public\".\"{history}\" WHERE success AND version IS NOT NULL", connection, tx);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) versions.Add(reader.GetString(0));
        return versions;
    }

    private static async Task RecordMigrationsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string history, IReadOnlyList<FlywayMigration> missing, CancellationToken ct)
    {
        await using var rankCommand = new NpgsqlCommand($"SELECT COALESCE(MAX(installed_rank), 0) FROM \"public\".\"{history}\"", connection, tx);
        var rank = (int)(await rankCommand.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
        foreach (var migration in missing)
        {
            await using var insert = new NpgsqlCommand(
                $"INSERT INTO \"public\".\"{history}\" (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) " +
                "VALUES (@rank, @version, @description, 'JDBC', @script, NULL, current_user, 0, true)", connection, tx);
            insert.Parameters.AddWithValue("rank", ++rank);
            insert.Parameters.AddWithValue("version", migration.Version);
            insert.Parameters.AddWithValue("description", migration.Description);
            insert.Parameters.AddWithValue("script", migration.Script);
            await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
    }

    private static async Task SetMetadataAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string version, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            "INSERT INTO airbyte_metadata (key, value) VALUES ('airbyte_version', @version) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value; " +
            "INSERT INTO airbyte_metadata (key, value) VALUES ('deployment_id', @deployment) ON CONFLICT (key) DO NOTHING;", connection, tx);
        command.Parameters.AddWithValue("version", version);
        command.Parameters.AddWithValue("deployment", Guid.NewGuid().ToString());
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private static async Task CreateWorkspaceIfNoneExistsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Action<string> log, CancellationToken ct)
    {
        await using var count = new NpgsqlCommand("SELECT COUNT(*) FROM workspace", connection, tx);
        if ((long)(await count.ExecuteScalarAsync(ct).ConfigureAwait(false))! > 0) return;
        var id = Guid.NewGuid();
        await using var insert = new NpgsqlCommand(
            "INSERT INTO workspace (id, customer_id, name, slug, initial_setup_complete, display_setup_wizard, tombstone) " +
            "VALUES (@id, @customer, 'default', 'default', false, true, false)", connection, tx);
        insert.Parameters.AddWithValue("id", id);
        insert.Parameters.AddWithValue("customer", Guid.NewGuid());
        await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        log($"Created the default workspace {id}.");
    }

    private static async Task SeedDefinitionsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Action<string> log, CancellationToken ct)
    {
        var added = 0;
        foreach (var definition in JsonNode.Parse(ReferenceFiles.SeedDefinitions)!.AsArray().Select(d => d!.AsObject()))
        {
            var id = Guid.Parse(definition["id"]!.GetValue<string>());
            await using (var exists = new NpgsqlCommand("SELECT COUNT(*) FROM actor_definition WHERE id = @id", connection, tx))
            {
                exists.Parameters.AddWithValue("id", id);
                if ((long)(await exists.ExecuteScalarAsync(ct).ConfigureAwait(false))! > 0) continue;
            }
            var versionId = Guid.NewGuid();
            await using var insert = new NpgsqlCommand(
                "INSERT INTO actor_definition (id, name, actor_type, source_type, public, custom) VALUES (@id, @name, @actor_type::actor_type, @source_type::source_type, true, false); " +
                "INSERT INTO actor_definition_version (id, actor_definition_id, documentation_url, docker_repository, docker_image_tag, spec, protocol_version, " +
                "  normalization_repository, normalization_tag, supports_dbt, normalization_integration_type, release_stage, support_level) " +
                "VALUES (@version_id, @id, @docs, @repository, @tag, @spec, @protocol, @norm_repo, @norm_tag, @dbt, @norm_type, @stage::release_stage, @level::support_level); " +
                "UPDATE actor_definition SET default_version_id = @version_id WHERE id = @id;", connection, tx);
            insert.Parameters.AddWithValue("id", id);
            insert.Parameters.AddWithValue("version_id", versionId);
            insert.Parameters.AddWithValue("name", definition["name"]!.GetValue<string>());
            insert.Parameters.AddWithValue("actor_type", definition["actorType"]!.GetValue<string>());
            insert.Parameters.AddWithValue("source_type", (object?)definition["sourceType"]?.GetValue<string>() ?? DBNull.Value);
            insert.Parameters.AddWithValue("docs", definition["documentationUrl"]!.GetValue<string>());
            insert.Parameters.AddWithValue("repository", definition["dockerRepository"]!.GetValue<string>());
            insert.Parameters.AddWithValue("tag", definition["dockerImageTag"]!.GetValue<string>());
            insert.Parameters.Add(new NpgsqlParameter("spec", NpgsqlDbType.Jsonb) { Value = definition["spec"]!.ToJsonString() });
            insert.Parameters.AddWithValue("protocol", definition["protocolVersion"]!.GetValue<string>());
            insert.Parameters.AddWithValue("norm_repo", (object?)definition["normalizationRepository"]?.GetValue<string>() ?? DBNull.Value);
            insert.Parameters.AddWithValue("norm_tag", (object?)definition["normalizationTag"]?.GetValue<string>() ?? DBNull.Value);
            insert.Parameters.AddWithValue("dbt", (object?)definition["supportsDbt"]?.GetValue<bool>() ?? DBNull.Value);
            insert.Parameters.AddWithValue("norm_type", (object?)definition["normalizationIntegrationType"]?.GetValue<string>() ?? DBNull.Value);
            insert.Parameters.AddWithValue("stage", definition["releaseStage"]!.GetValue<string>());
            insert.Parameters.AddWithValue("level", definition["supportLevel"]!.GetValue<string>());
            await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            added++;
        }
        if (added > 0) log($"Seeded {added} connector definition(s).");
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx);
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }
}
