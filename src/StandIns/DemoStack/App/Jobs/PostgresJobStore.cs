using System.Data.Common;
using System.Text.Json.Nodes;
using Npgsql;
using NpgsqlTypes;

namespace AirbyteOps.StandIns.DemoStack.Jobs;

/// <summary>
/// Jobs and attempts in airbyte-db, as Airbyte 0.7 kept them (tables jobs and attempts, BIGSERIAL ids).
/// The server creates jobs, the scheduler takes and ends them: the database is how the two talk, as in real Airbyte.
/// </summary>
public sealed class PostgresJobStore : IJobStore, IAsyncDisposable
{
    private const string JobColumns = "id, config_type, scope, config::text, status::text, created_at, started_at, updated_at";
    private const string AttemptColumns = "job_id, attempt_number, log_path, output::text, status::text, created_at, updated_at, ended_at";
    private readonly NpgsqlDataSource _dataSource;

    public PostgresJobStore(string connectionString) => _dataSource = NpgsqlDataSource.Create(connectionString);

    public async Task EnsureSchemaAsync(CancellationToken ct = default)
    {
        await using var stream = typeof(PostgresJobStore).Assembly.GetManifestResourceStream("airbyte-db-init.sql")
            ?? throw new InvalidOperationException("The airbyte-db schema resource is missing from the stand-in.");
        using var reader = new StreamReader(stream);
        var sql = await reader.ReadToEndAsync(ct).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (var command = new NpgsqlCommand(sql, connection, transaction))
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        await transaction.CommitAsync(ct).ConfigureAwait(false);
    }

    public async Task<JobRecord> CreateOrGetActiveSyncJobAsync(string connectionId, JsonObject config, CancellationToken ct = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        // One active sync per connection, like real Airbyte's createOrGetActiveSyncJob; the lock keeps two
        // simultaneous "Sync now" requests from both creating a job.
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext(@scope))", connection, transaction))
        {
            lockCommand.Parameters.AddWithValue("scope", connectionId);
            await lockCommand.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        JobRecord? job;
        await using (var find = new NpgsqlCommand($"SELECT {JobColumns} FROM jobs WHERE config_type = 'sync' AND scope = @scope AND status IN ('pending', 'running') ORDER BY id DESC LIMIT 1", connection, transaction))
        {
            find.Parameters.AddWithValue("scope", connectionId);
            job = await ReadJobAsync(find, ct).ConfigureAwait(false);
        }
        if (job is null)
        {
            await using var insert = new NpgsqlCommand($"INSERT INTO jobs (config_type, scope, config, status, created_at, updated_at) VALUES ('sync', @scope, @config, 'pending', now(), now()) RETURNING {JobColumns}", connection, transaction);
            insert.Parameters.AddWithValue("scope", connectionId);
            insert.Parameters.AddWithValue("config", NpgsqlDbType.Jsonb, config.ToJsonString());
            job = await ReadJobAsync(insert, ct).ConfigureAwait(false);
        }
        await transaction.CommitAsync(ct).ConfigureAwait(false);
        return job!;
    }

    public async Task<JobRecord> CreateRunningJobAsync(string configType, string scope, JsonObject config, CancellationToken ct = default)
    {
        await using var command = _dataSource.CreateCommand($"INSERT INTO jobs (config_type, scope, config, status, created_at, started_at, updated_at) VALUES (@type, @scope, @config, 'running', now(), now(), now()) RETURNING {JobColumns}");
        command.Parameters.AddWithValue("type", configType);
        command.Parameters.AddWithValue("scope", scope);
        command.Parameters.AddWithValue("config", NpgsqlDbType.Jsonb, config.ToJsonString());
        return (await ReadJobAsync(command, ct).ConfigureAwait(false))!;
    }

    public async Task<JobRecord?> GetJobAsync(long id, CancellationToken ct = default)
    {
        await using var command = _dataSource.CreateCommand($"SELECT {JobColumns} FROM jobs WHERE id = @id");
        command.Parameters.AddWithValue("id", id);
        return await ReadJobAsync(command, ct).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<JobRecord>> ListJobsAsync(string configType, string scope, CancellationToken ct = default)
    {
        await using var command = _dataSource.CreateCommand($"SELECT {JobColumns} FROM jobs WHERE config_type = @type AND scope = @scope ORDER BY created_at DESC, id DESC");
        command.Parameters.AddWithValue("type", configType);
        command.Parameters.AddWithValue("scope", scope);
        var result = new List<JobRecord>();
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) result.Add(ToJob(reader));
        return result;
    }

    public async Task<IReadOnlyList<AttemptRecord>> ListAttemptsAsync(long jobId, CancellationToken ct = default)
    {
        await using var command = _dataSource.CreateCommand($"SELECT {AttemptColumns} FROM attempts WHERE job_id = @job ORDER BY attempt_number");
        command.Parameters.AddWithValue("job", jobId);
        var result = new List<AttemptRecord>();
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) result.Add(ToAttempt(reader));
        return result;
    }

    public async Task<JobRecord?> TakeNextPendingJobAsync(CancellationToken ct = default)
    {
        await using var command = _dataSource.CreateCommand($"""
            UPDATE jobs SET status = 'running', started_at = now(), updated_at = now()
            WHERE id = (SELECT id FROM jobs WHERE status = 'pending' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING {JobColumns}
            """);
        return await ReadJobAsync(command, ct).ConfigureAwait(false);
    }

    public async Task<AttemptRecord> CreateAttemptAsync(long jobId, int attemptNumber, string logPath, CancellationToken ct = default)
    {
        await using var command = _dataSource.CreateCommand($"INSERT INTO attempts (job_id, attempt_number, log_path, status, created_at, updated_at) VALUES (@job, @number, @path, 'running', now(), now()) RETURNING {AttemptColumns}");
        command.Parameters.AddWithValue("job", jobId);
        command.Parameters.AddWithValue("number", attemptNumber);
        command.Parameters.AddWithValue("path", logPath);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await reader.ReadAsync(ct).ConfigureAwait(false);
        return ToAttempt(reader);
    }

    public async Task CompleteAttemptAsync(long jobId, int attemptNumber, bool succeeded, JsonObject? output, CancellationToken ct = default)
    {
        var status = succeeded ? JobStatus.Succeeded : JobStatus.Failed;
        await using var batch = _dataSource.CreateBatch();
        var attempt = new NpgsqlBatchCommand("UPDATE attempts SET status = @status::attempt_status, output = @output, updated_at = now(), ended_at = now() WHERE job_id = @job AND attempt_number = @number");
        attempt.Parameters.AddWithValue("status", status);
        attempt.Parameters.AddWithValue("output", NpgsqlDbType.Jsonb, (object?)output?.ToJsonString() ?? DBNull.Value);
        attempt.Parameters.AddWithValue("job", jobId);
        attempt.Parameters.AddWithValue("number", attemptNumber);
        var job = new NpgsqlBatchCommand("UPDATE jobs SET status = @status::job_status, updated_at = now() WHERE id = @job");
        job.Parameters.AddWithValue("status", status);
        job.Parameters.AddWithValue("job", jobId);
        batch.BatchCommands.Add(attempt);
        batch.BatchCommands.Add(job);
        await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    public async Task<JsonObject?> GetCurrentStateAsync(string connectionId, CancellationToken ct = default)
    {
        await using var command = _dataSource.CreateCommand("""
            SELECT (a.output -> 'sync' -> 'state')::text FROM attempts a JOIN jobs j ON j.id = a.job_id
            WHERE j.config_type = 'sync' AND j.scope = @scope AND a.status = 'succeeded' AND a.output -> 'sync' -> 'state' IS NOT NULL
            ORDER BY a.ended_at DESC NULLS LAST, a.id DESC LIMIT 1
            """);
        command.Parameters.AddWithValue("scope", connectionId);
        return await command.ExecuteScalarAsync(ct).ConfigureAwait(false) is string text ? JsonNode.Parse(text) as JsonObject : null;
    }

    public async Task<int> FailOrphanedJobsAsync(CancellationToken ct = default)
    {
        await using var batch = _dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand("UPDATE attempts SET status = 'failed', updated_at = now(), ended_at = now() WHERE status = 'running'"));
        batch.BatchCommands.Add(new NpgsqlBatchCommand("UPDATE jobs SET status = 'failed', updated_at = now() WHERE status = 'running'"));
        return await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private static async Task<JobRecord?> ReadJobAsync(NpgsqlCommand command, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        return await reader.ReadAsync(ct).ConfigureAwait(false) ? ToJob(reader) : null;
    }

    private static JobRecord ToJob(DbDataReader r) => new(
        r.GetInt64(0),
        r.GetString(1),
        r.GetString(2),
        JsonNode.Parse(r.GetString(3))!.AsObject(),
        r.GetString(4),
        r.GetFieldValue<DateTimeOffset>(5),
        r.IsDBNull(6) ? null : r.GetFieldValue<DateTimeOffset>(6),
        r.GetFieldValue<DateTimeOffset>(7));

    private static AttemptRecord ToAttempt(DbDataReader r) => new(
        r.GetInt64(0),
        r.GetInt32(1),
        r.GetString(2),
        r.IsDBNull(3) ? null : JsonNode.Parse(r.GetString(3))!.AsObject(),
        r.GetString(4),
        r.GetFieldValue<DateTimeOffset>(5),
        r.GetFieldValue<DateTimeOffset>(6),
        r.IsDBNull(7) ? null : r.GetFieldValue<DateTimeOffset>(7));
}
