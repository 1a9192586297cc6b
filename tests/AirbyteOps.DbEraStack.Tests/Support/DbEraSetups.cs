using System.Net;
using System.Text.Json.Nodes;
using AirbyteOps.Setups.DbEra;
using AirbyteOps.Setups.Export;
using AirbyteOps.Setups.Restore;
using AirbyteOps.Setups.Secrets;
using Npgsql;

namespace AirbyteOps.DbEraStack.Tests.Support;

/// <summary>ExportSetup/RestoreSetup options for the test stack, a seeded configuration with secrets, and per-table digests of the database.</summary>
public static class DbEraSetups
{
    public static IReadOnlyCollection<string> Hosts(DbEraContainers stack) => ["db", "server", stack.Db, stack.Server, stack.Proxy];

    public static ExportOptions Export(DbEraContainers stack, string setup, string artifacts) => new()
    {
        Setup = setup, ArtifactsDirectory = artifacts, ServerContainer = stack.Server, DataVolume = stack.Prefix + "-data", ConfigRoot = "/data",
        HelperImage = TestImages.Busybox, SecretsMode = SecretsMode.Sidecar, ExtraSecretKeys = [], Archive = false, Overwrite = false,
        DatabaseContainer = stack.Db, SchedulerContainer = null, ComposeHosts = Hosts(stack),
    };

    public static RestoreOptions Restore(DbEraContainers stack, string setup, string artifacts) => new()
    {
        Setup = setup, ArtifactsDirectory = artifacts, ServerContainer = stack.Server, DataVolume = stack.Prefix + "-data", ConfigRoot = "/data",
        HelperImage = TestImages.Busybox, ForceVersion = false, AllowMissingSecrets = false, HealthTimeout = TimeSpan.FromMinutes(2),
        DatabaseContainer = stack.Db, SchedulerContainer = null, ComposeHosts = Hosts(stack),
        ConfigApi = new ConfigApi(new Uri($"http://127.0.0.1:{stack.ProxyPort}/api/v1"), new NetworkCredential(DbEraContainers.BasicAuthUser, DbEraContainers.BasicAuthPassword)),
    };

    /// <summary>What <see cref="SeedAsync"/> made: ids, and every secret value it put in (through the API or inline in actor.configuration).</summary>
    public sealed record Seeded(string SourceId, string DestinationId, string ConnectionId, IReadOnlyList<string> Secrets);

    /// <summary>A source (password and SSH tunnel password, split by the server into the secrets table, and an inline access_token), a destination, a connection and a sync.</summary>
    public static async Task<Seeded> SeedAsync(DbEraContainers stack, string tag)
    {
        var (_, list) = await stack.PostAsync("workspaces/list", new JsonObject());
        var workspace = list!["workspaces"]![0]!["workspaceId"]!.GetValue<string>();
        var (_, sources) = await stack.PostAsync("source_definitions/list", new JsonObject());
        var (_, destinations) = await stack.PostAsync("destination_definitions/list", new JsonObject());
        string Definition(JsonNode? all, string array, string repository, string idField) =>
            all![array]!.AsArray().First(d => d!["dockerRepository"]!.GetValue<string>() == repository)![idField]!.GetValue<string>();
        var secrets = new[] { $"src-{tag}-{Guid.NewGuid():N}", $"ssh-{tag}-{Guid.NewGuid():N}", $"dst-{tag}-{Guid.NewGuid():N}", $"inline-{tag}-{Guid.NewGuid():N}" };
        var (s1, source) = await stack.PostAsync("sources/create", new JsonObject
        {
            ["workspaceId"] = workspace, ["name"] = "orders " + tag, ["sourceDefinitionId"] = Definition(sources, "sourceDefinitions", "airbyte/source-postgres", "sourceDefinitionId"),
            ["connectionConfiguration"] = new JsonObject
            {
                ["host"] = "10.0.0.5", ["port"] = 5432, ["database"] = "orders", ["username"] = "reader", ["password"] = secrets[0],
                ["tunnel_method"] = new JsonObject { ["tunnel_method"] = "SSH_PASSWORD_AUTH", ["tunnel_host"] = "bastion", ["tunnel_user"] = "ops", ["tunnel_user_password"] = secrets[1] },
            },
        });
        Assert.Equal(200, s1);
        var (s2, destination) = await stack.PostAsync("destinations/create", new JsonObject
        {
            ["workspaceId"] = workspace, ["name"] = "warehouse " + tag, ["destinationDefinitionId"] = Definition(destinations, "destinationDefinitions", "airbyte/destination-postgres", "destinationDefinitionId"),
            ["connectionConfiguration"] = new JsonObject { ["host"] = "wh", ["port"] = 5432, ["database"] = "wh", ["schema"] = "public", ["username"] = "w", ["password"] = secrets[2] },
        });
        Assert.Equal(200, s2);
        var sourceId = source!["sourceId"]!.GetValue<string>();
        var destinationId = destination!["destinationId"]!.GetValue<string>();
        // A secret the server did not split (older connectors' configurations hold such values inline).
        await stack.QueryAsync($"UPDATE actor SET configuration = configuration || jsonb_build_object('access_token', '{secrets[3]}') WHERE id = '{sourceId}' RETURNING id");
        var (s3, connection) = await stack.PostAsync("connections/create", new JsonObject
        {
            ["sourceId"] = sourceId, ["destinationId"] = destinationId, ["status"] = "active", ["name"] = "orders to warehouse " + tag, ["namespaceDefinition"] = "source", ["scheduleType"] = "manual",
            ["syncCatalog"] = new JsonObject
            {
                ["streams"] = new JsonArray(new JsonObject
                {
                    ["stream"] = new JsonObject { ["name"] = "orders", ["namespace"] = "public", ["jsonSchema"] = new JsonObject { ["type"] = "object" }, ["supportedSyncModes"] = new JsonArray("full_refresh", "incremental") },
                    ["config"] = new JsonObject { ["syncMode"] = "full_refresh", ["destinationSyncMode"] = "overwrite", ["selected"] = true },
                }),
            },
        });
        Assert.Equal(200, s3);
        var connectionId = connection!["connectionId"]!.GetValue<string>();
        var (s4, _) = await stack.PostAsync("connections/sync", new JsonObject { ["connectionId"] = connectionId });
        Assert.Equal(200, s4);
        return new Seeded(sourceId, destinationId, connectionId, secrets);
    }

    /// <summary>Every table of the schema public: its row count and the MD5 of its rows as text, sorted.</summary>
    public static async Task<SortedDictionary<string, string>> DigestAsync(DbEraContainers stack, string database = "airbyte")
    {
        var builder = new NpgsqlConnectionStringBuilder(stack.ConnectionString) { Database = database };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var command = new NpgsqlCommand("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 1", connection))
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        var digest = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            await using var command = new NpgsqlCommand($"SELECT count(*) || ' ' || md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM public.\"{table}\" t", connection);
            digest[table] = (string)(await command.ExecuteScalarAsync())!;
        }
        return digest;
    }

    public static async Task<IReadOnlyList<string>> DatabasesAsync(DbEraContainers stack) =>
        (await stack.QueryAsync("SELECT datname FROM pg_database ORDER BY 1")).Select(r => (string)r[0]!).ToList();
}
