using Npgsql;
using NpgsqlTypes;
using static AirbyteOps.StandIns.DemoStack.Worker.PostgresIdentifiers;

namespace AirbyteOps.StandIns.DemoStack.Worker;

/// <summary>
/// Stand-in for airbyte/destination-postgres 0.7: table &lt;schema&gt;.&lt;stream&gt;_raw (ab_id VARCHAR primary key,
/// data JSONB, emitted_at TIMESTAMPTZ), full refresh through a temporary table swapped in one transaction; append
/// (incremental) copies into the table, created when missing, in one transaction.
/// </summary>
public sealed class StandInPostgresWriter : IStandInDestination
{
    private readonly StandInPostgresSettings _settings;

    public StandInPostgresWriter(StandInPostgresSettings settings) => _settings = settings;

    public string Describe(string streamName) => $"{_settings} table {_settings.Schema}.{streamName}_raw";

    public async Task WriteStreamAsync(string streamName, IReadOnlyList<RawRecord> records, bool append = false, CancellationToken ct = default)
    {
        var schema = Quote(_settings.Schema);
        var final = Quote($"{streamName}_raw");
        var temporaryName = $"{streamName}_raw_{Guid.NewGuid():N}"[..Math.Min(63, streamName.Length + 37)];
        var temporary = Quote(temporaryName);
        await using var connection = new NpgsqlConnection(_settings.ConnectionString);
        await connection.OpenAsync(ct).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, $"CREATE SCHEMA IF NOT EXISTS {schema}", ct).ConfigureAwait(false);
        var target = append ? final : temporary;
        await ExecuteAsync(connection, transaction,
            $"CREATE TABLE {(append ? "IF NOT EXISTS " : "")}{schema}.{target} (ab_id VARCHAR PRIMARY KEY, data JSONB, emitted_at TIMESTAMP WITH TIME ZONE DEFAULT CURRENT_TIMESTAMP)", ct).ConfigureAwait(false);
        await using (var import = await connection.BeginBinaryImportAsync($"COPY {schema}.{target} (ab_id, data, emitted_at) FROM STDIN (FORMAT BINARY)", ct).ConfigureAwait(false))
        {
            foreach (var record in records)
            {
                await import.StartRowAsync(ct).ConfigureAwait(false);
                await import.WriteAsync(record.AbId.ToString(), NpgsqlDbType.Varchar, ct).ConfigureAwait(false);
                await import.WriteAsync(record.Data, NpgsqlDbType.Jsonb, ct).ConfigureAwait(false);
                await import.WriteAsync(record.EmittedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz, ct).ConfigureAwait(false);
            }
            await import.CompleteAsync(ct).ConfigureAwait(false);
        }
        if (!append)
        {
            await ExecuteAsync(connection, transaction, $"DROP TABLE IF EXISTS {schema}.{final}", ct).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction, $"ALTER TABLE {schema}.{temporary} RENAME TO {final}", ct).ConfigureAwait(false);
        }
        await transaction.CommitAsync(ct).ConfigureAwait(false);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }
}
