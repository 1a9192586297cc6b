using System.Text.Json;
using System.Text.Json.Nodes;
using AirbyteOps.DemoStack.Tests.Contract;
using AirbyteOps.DemoStack.Tests.Support;
using Npgsql;

namespace AirbyteOps.DemoStack.Tests.Integration;

/// <summary>
/// Incremental syncs as Airbyte 0.7 ran them, on the demo stack's containers with real Postgres: a connection in
/// syncMode incremental on the exchange-rates stream (cursor date) starts from the state in the output of its last
/// successful attempt in airbyte-db, appends only newer records, and stores the new state in the new attempt's output.
/// Every jobs.config and attempts.output it writes is checked against the real v0.7.1-alpha JobConfig / JobOutput schemas.
/// </summary>
public sealed class IncrementalSyncTests : IClassFixture<DemoStackFixture>
{
    private static readonly ConfigTypeSchemas Schemas = ConfigTypeSchemas.For(AirbyteReference.V071);
    private readonly ContainerStack _stack;

    public IncrementalSyncTests(DemoStackFixture fixture) => _stack = fixture.Stack;

    [Fact]
    public async Task An_incremental_connection_syncs_only_the_rows_added_since_its_last_sync_and_stores_the_new_state()
    {
        var schema = "incr_" + Guid.NewGuid().ToString("N")[..8];
        var sourceConfig = ApiClient.ExchangeRatesConfig();
        var source = await _stack.Api.CreateSourceAsync(ApiClient.ExchangeRatesDefinitionId, "rates-incr", sourceConfig);
        var destination = await _stack.Api.CreateDestinationAsync(ApiClient.PostgresDefinitionId, "pg-incr", ApiClient.PostgresConfig(_stack.DestinationPort, _stack.DestinationPassword, schema: schema));
        var connection = await _stack.Api.CreateConnectionAsync(source, destination, syncMode: "incremental");

        var first = await _stack.Api.SyncAsync(connection);
        Assert.Equal("succeeded", first["status"]!.GetValue<string>());
        await using var db = new NpgsqlConnection(_stack.DestinationConnectionString);
        await db.OpenAsync();
        var before = await ScalarAsync<long>(db, $"SELECT count(*) FROM {schema}.exchange_rate_raw");
        var newestBefore = await ScalarAsync<string>(db, $"SELECT max(data->>'date') FROM {schema}.exchange_rate_raw");

        var added = await _stack.AddExchangeRatesAsync(3);
        var second = await _stack.Api.SyncAsync(connection);

        Assert.Equal("succeeded", second["status"]!.GetValue<string>());
        Assert.Equal(before + 3, await ScalarAsync<long>(db, $"SELECT count(*) FROM {schema}.exchange_rate_raw"));
        Assert.Equal(0L, await ScalarAsync<long>(db, $"SELECT count(*) FROM (SELECT data->>'date' FROM {schema}.exchange_rate_raw GROUP BY 1 HAVING count(*) > 1) d"));
        Assert.Equal(added, await ListAsync(db, $"SELECT data->>'date' FROM {schema}.exchange_rate_raw WHERE data->>'date' > '{newestBefore}' ORDER BY 1"));
        // Normalization rebuilt the typed table from the whole raw table.
        Assert.Equal(before + 3, await ScalarAsync<long>(db, $"SELECT count(*) FROM {schema}.exchange_rate"));

        var jobs = await SyncJobsAsync(connection);
        Assert.Equal(2, jobs.Count);
        var (firstOutput, secondOutput) = (jobs[0].Outputs.Single()!, jobs[1].Outputs.Single()!);
        Assert.Equal(Canonical(new JsonObject { ["connectionId"] = connection, ["state"] = new JsonObject { ["start_date"] = newestBefore } }), Canonical(firstOutput["sync"]!["state"]!));
        Assert.Equal(Canonical(new JsonObject { ["connectionId"] = connection, ["state"] = new JsonObject { ["start_date"] = added[^1] } }), Canonical(secondOutput["sync"]!["state"]!));
        Assert.Equal(3L, secondOutput["sync"]!["standardSyncSummary"]!["recordsSynced"]!.GetValue<long>());
        var secondAttempt = await _stack.ReadTreeAsync($"/tmp/workspace/{jobs[1].Id}/0");
        Assert.Equal($"{{\"start_date\":\"{newestBefore}\"}}", secondAttempt["input_state.json"]);

        // jobs.config holds the source and destination configurations with their secrets, as the real one did.
        foreach (var job in jobs)
        {
            var sync = job.Config["sync"]!;
            Assert.Equal(Canonical(sourceConfig), Canonical(sync["sourceConnection"]!["configuration"]!));
            Assert.Equal(_stack.DestinationPassword, sync["destinationConnection"]!["configuration"]!["password"]!.GetValue<string>());
            Assert.Equal("incremental", sync["standardSync"]!["syncMode"]!.GetValue<string>());
            Assert.Equal("incremental", sync["standardSync"]!["schema"]!["streams"]![0]!["syncMode"]!.GetValue<string>());
        }
        AssertValid(jobs);
    }

    [Fact]
    public async Task A_failed_attempt_does_not_advance_the_state_the_next_sync_starts_from_the_last_successful_one()
    {
        var schema = "incr_" + Guid.NewGuid().ToString("N")[..8];
        var source = await _stack.Api.CreateSourceAsync(ApiClient.ExchangeRatesDefinitionId, "rates-fail", ApiClient.ExchangeRatesConfig());
        var destination = await _stack.Api.CreateDestinationAsync(ApiClient.PostgresDefinitionId, "pg-fail", ApiClient.PostgresConfig(_stack.DestinationPort, _stack.DestinationPassword, normalization: false, schema: schema));
        var connection = await _stack.Api.CreateConnectionAsync(source, destination, syncMode: "incremental");
        Assert.Equal("succeeded", (await _stack.Api.SyncAsync(connection))["status"]!.GetValue<string>());
        await using var db = new NpgsqlConnection(_stack.DestinationConnectionString);
        await db.OpenAsync();
        var before = await ScalarAsync<long>(db, $"SELECT count(*) FROM {schema}.exchange_rate_raw");
        var newestBefore = await ScalarAsync<string>(db, $"SELECT max(data->>'date') FROM {schema}.exchange_rate_raw");

        // The destination refuses every new row: the source reads (and emits its state), the write fails.
        await ExecuteAsync(db, $"ALTER TABLE {schema}.exchange_rate_raw ADD CONSTRAINT abops_refuse_rows CHECK (false) NOT VALID");
        var added = await _stack.AddExchangeRatesAsync(2);
        var failed = await _stack.Api.SyncAsync(connection);
        Assert.Equal("failed", failed["status"]!.GetValue<string>());
        Assert.Equal(before, await ScalarAsync<long>(db, $"SELECT count(*) FROM {schema}.exchange_rate_raw"));

        await ExecuteAsync(db, $"ALTER TABLE {schema}.exchange_rate_raw DROP CONSTRAINT abops_refuse_rows");
        var retried = await _stack.Api.SyncAsync(connection);

        Assert.Equal("succeeded", retried["status"]!.GetValue<string>());
        Assert.Equal(added, await ListAsync(db, $"SELECT data->>'date' FROM {schema}.exchange_rate_raw WHERE data->>'date' > '{newestBefore}' ORDER BY 1"));
        Assert.Equal(before + 2, await ScalarAsync<long>(db, $"SELECT count(*) FROM {schema}.exchange_rate_raw"));
        var jobs = await SyncJobsAsync(connection);
        Assert.Equal(["succeeded", "failed", "succeeded"], jobs.Select(j => j.Status));
        // The failed attempt kept the state its source emitted (past the new rows); the next sync did not start there.
        Assert.Equal(added[^1], jobs[1].Outputs.Single()!["sync"]!["state"]!["state"]!["start_date"]!.GetValue<string>());
        var retriedAttempt = await _stack.ReadTreeAsync($"/tmp/workspace/{jobs[2].Id}/0");
        Assert.Equal($"{{\"start_date\":\"{newestBefore}\"}}", retriedAttempt["input_state.json"]);
        Assert.Equal(2L, jobs[2].Outputs.Single()!["sync"]!["standardSyncSummary"]!["recordsSynced"]!.GetValue<long>());
        Assert.Equal(added[^1], jobs[2].Outputs.Single()!["sync"]!["state"]!["state"]!["start_date"]!.GetValue<string>());
        AssertValid(jobs);
    }

    private sealed record SyncJob(long Id, string Status, JsonObject Config, IReadOnlyList<JsonObject?> Outputs);

    /// <summary>The connection's sync jobs in airbyte-db, oldest first, with their attempts' outputs.</summary>
    private async Task<List<SyncJob>> SyncJobsAsync(string connectionId)
    {
        await using var jobsDb = new NpgsqlConnection(_stack.JobsConnectionString);
        await jobsDb.OpenAsync();
        var jobs = new List<SyncJob>();
        await using (var command = new NpgsqlCommand("SELECT id, status::text, config::text FROM jobs WHERE config_type = 'sync' AND scope = @scope ORDER BY id", jobsDb))
        {
            command.Parameters.AddWithValue("scope", connectionId);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                jobs.Add(new SyncJob(reader.GetInt64(0), reader.GetString(1), JsonNode.Parse(reader.GetString(2))!.AsObject(), []));
        }
        for (var i = 0; i < jobs.Count; i++)
        {
            var outputs = new List<JsonObject?>();
            await using var command = new NpgsqlCommand("SELECT output::text FROM attempts WHERE job_id = @job ORDER BY attempt_number", jobsDb);
            command.Parameters.AddWithValue("job", jobs[i].Id);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) outputs.Add(reader.IsDBNull(0) ? null : JsonNode.Parse(reader.GetString(0))!.AsObject());
            jobs[i] = jobs[i] with { Outputs = outputs };
        }
        return jobs;
    }

    private static void AssertValid(IEnumerable<SyncJob> jobs)
    {
        foreach (var job in jobs)
        {
            using var config = JsonDocument.Parse(job.Config.ToJsonString());
            Assert.Empty(Schemas.Check($"jobs.config of job {job.Id}", "JobConfig.yaml", config.RootElement));
            foreach (var output in job.Outputs)
            {
                Assert.NotNull(output);
                using var document = JsonDocument.Parse(output.ToJsonString());
                Assert.Empty(OutputProblems($"attempts.output of job {job.Id}", document.RootElement));
            }
        }
    }

    private static IReadOnlyList<string> OutputProblems(string what, JsonElement output) => JobOutputSchema.Problems(what, output);

    /// <summary>jsonb sorts keys; compare by a key-sorted rendering.</summary>
    private static string Canonical(JsonNode node) => node switch
    {
        JsonObject o => "{" + string.Join(",", o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => JsonSerializer.Serialize(p.Key) + ":" + (p.Value is null ? "null" : Canonical(p.Value)))) + "}",
        JsonArray a => "[" + string.Join(",", a.Select(i => i is null ? "null" : Canonical(i))) + "]",
        _ => node.ToJsonString(),
    };

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection db, string sql)
    {
        await using var command = new NpgsqlCommand(sql, db);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<List<string>> ListAsync(NpgsqlConnection db, string sql)
    {
        await using var command = new NpgsqlCommand(sql, db);
        await using var reader = await command.ExecuteReaderAsync();
        var list = new List<string>();
        while (await reader.ReadAsync()) list.Add(reader.GetString(0));
        return list;
    }

    private static async Task ExecuteAsync(NpgsqlConnection db, string sql)
    {
        await using var command = new NpgsqlCommand(sql, db);
        await command.ExecuteNonQueryAsync();
    }
}
