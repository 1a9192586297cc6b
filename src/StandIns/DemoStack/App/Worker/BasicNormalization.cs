using System.Diagnostics;
using System.Text;
using Npgsql;
using static AirbyteOps.StandIns.DemoStack.Worker.PostgresIdentifiers;

namespace AirbyteOps.StandIns.DemoStack.Worker;

/// <summary>
/// Stand-in for the `dbt run` airbyte/normalization did after a sync (dbt cannot be installed here): the same
/// table each generated model would create, built with the SQL those macros compile to on Postgres.
/// </summary>
public static class BasicNormalization
{
    public static async Task RunAsync(StandInPostgresSettings settings, IReadOnlyList<(string Name, IReadOnlyList<(string Field, string Type)> Fields)> streams, Action<string> log, CancellationToken ct = default)
    {
        await using var connection = new NpgsqlConnection(settings.ConnectionString);
        await connection.OpenAsync(ct).ConfigureAwait(false);
        var index = 0;
        foreach (var (name, fields) in streams)
        {
            index++;
            var clock = Stopwatch.StartNew();
            log($"{index} of {streams.Count} START table model {settings.Schema}.{name} [RUN]");
            await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
            await using (var drop = new NpgsqlCommand($"DROP TABLE IF EXISTS {Quote(settings.Schema)}.{Quote(name)} CASCADE", connection, transaction))
                await drop.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            await using (var create = new NpgsqlCommand(CreateTableSql(settings.Schema, name, fields), connection, transaction))
                await create.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            // CREATE TABLE AS reports no row count through Npgsql; count like dbt's "SELECT n" line shows.
            long rows;
            await using (var count = new NpgsqlCommand($"SELECT count(*) FROM {Quote(settings.Schema)}.{Quote(name)}", connection, transaction))
                rows = (long)(await count.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
            await transaction.CommitAsync(ct).ConfigureAwait(false);
            log($"{index} of {streams.Count} OK created table model {settings.Schema}.{name} [SELECT {rows} in {clock.Elapsed.TotalSeconds:0.00}s]");
        }
    }

    /// <summary>What the generated model compiles to on Postgres (dbt_utils 0.6.2 macros expanded).</summary>
    public static string CreateTableSql(string schema, string stream, IReadOnlyList<(string Field, string Type)> fields)
    {
        var columns = fields.Where(f => StandInNormalizationWriter.DbtType(f.Type) is not null).ToList();
        var sb = new StringBuilder();
        sb.Append($"CREATE TABLE {Quote(schema)}.{Quote(stream)} AS\n");
        sb.Append($"WITH {Quote(stream + "_node")} AS (\n  SELECT\n    emitted_at,\n    (current_timestamp AT TIME ZONE 'utc')::timestamp AS normalized_at");
        foreach (var (field, type) in columns)
            sb.Append($",\n    CAST(jsonb_extract_path_text(data, {Literal(field)}) AS {SqlType(type)}) AS {Quote(field)}");
        sb.Append($"\n  FROM {Quote(schema)}.{Quote(stream + "_raw")}\n),\n");
        var hashParts = columns.Select(c => $"coalesce(cast({Quote(c.Field)} as varchar), '')");
        sb.Append($"{Quote(stream + "_with_id")} AS (\n  SELECT *, md5(cast({string.Join(" || '-' || ", hashParts)} as varchar)) AS {Quote("_" + stream + "_hashid")}\n  FROM {Quote(stream + "_node")}\n)\n");
        sb.Append($"SELECT * FROM {Quote(stream + "_with_id")}");
        return sb.ToString();
    }

    private static string SqlType(string jsonType) => jsonType switch
    {
        "number" => "float",
        "integer" => "bigint",
        "boolean" => "boolean",
        _ => "varchar",
    };
}
