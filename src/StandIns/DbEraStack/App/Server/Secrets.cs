using System.Text.Json.Nodes;
using Npgsql;

namespace AirbyteOps.StandIns.DbEraStack.Server;

/// <summary>
/// Secrets as the real default (SECRET_PERSISTENCE empty or TESTING_CONFIG_DB_TABLE) keeps them: every value the
/// connector spec marks <c>airbyte_secret</c> leaves the actor's configuration for a row of
/// <c>secrets(coordinate, payload)</c>, and the configuration holds <c>{"_secret": "&lt;coordinate&gt;"}</c> in its
/// place; a coordinate is <c>airbyte_workspace_&lt;workspace&gt;_secret_&lt;uuid&gt;_v&lt;version&gt;</c>. Reads through the API
/// show secret fields masked, as the real server does.
/// </summary>
public static class Secrets
{
    public const string Mask = "**********";

    /// <summary>The table, created at start-up (it is not a Flyway table, so it is not in the schema dumps).</summary>
    public const string CreateTable = "CREATE TABLE IF NOT EXISTS secrets (coordinate TEXT PRIMARY KEY, payload TEXT)";

    public static string Coordinate(Guid workspaceId, Guid secretId, int version) => $"airbyte_workspace_{workspaceId}_secret_{secretId}_v{version}";

    /// <summary>Moves each secret value of <paramref name="configuration"/> (per the spec) to the secrets table; returns the configuration to store.</summary>
    public static async Task<JsonObject> SplitAsync(JsonObject configuration, JsonObject connectionSpecification, Guid workspaceId,
        NpgsqlConnection connection, NpgsqlTransaction tx, CancellationToken ct)
    {
        var stored = configuration.DeepClone().AsObject();
        var payloads = new List<(string Coordinate, string Payload)>();
        Walk(stored, connectionSpecification, node =>
        {
            if (node is JsonObject already) return already.DeepClone(); // a coordinate stays a coordinate
            var coordinate = Coordinate(workspaceId, Guid.NewGuid(), 1);
            payloads.Add((coordinate, node.ToString()));
            return new JsonObject { ["_secret"] = coordinate };
        });
        foreach (var (coordinate, payload) in payloads)
        {
            await using var insert = new NpgsqlCommand("INSERT INTO secrets (coordinate, payload) VALUES (@c, @p)", connection, tx);
            insert.Parameters.AddWithValue("c", coordinate);
            insert.Parameters.AddWithValue("p", payload);
            await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        return stored;
    }

    /// <summary>The configuration as the API shows it: every secret field (a coordinate or a value) as "**********".</summary>
    public static JsonObject MaskForOutput(JsonObject stored, JsonObject connectionSpecification)
    {
        var shown = stored.DeepClone().AsObject();
        Walk(shown, connectionSpecification, _ => JsonValue.Create(Mask));
        // A coordinate outside the spec's secret fields (a spec that changed) is masked too.
        MaskCoordinates(shown);
        return shown;
    }

    private static void MaskCoordinates(JsonNode? node)
    {
        if (node is JsonObject o)
            foreach (var key in o.Select(p => p.Key).ToList())
            {
                if (o[key] is JsonObject child && child.Count == 1 && child.ContainsKey("_secret")) o[key] = Mask;
                else MaskCoordinates(o[key]);
            }
        else if (node is JsonArray a)
            foreach (var item in a) MaskCoordinates(item);
    }

    /// <summary>Replaces each value at a secret field of the spec (nested objects and oneOf alternatives included).</summary>
    private static void Walk(JsonObject configuration, JsonObject schema, Func<JsonNode, JsonNode> replace)
    {
        var alternatives = new List<JsonObject>();
        if (schema["properties"] is JsonObject) alternatives.Add(schema);
        if (schema["oneOf"] is JsonArray oneOf) alternatives.AddRange(oneOf.OfType<JsonObject>().Where(a => a["properties"] is JsonObject));
        foreach (var key in configuration.Select(p => p.Key).ToList())
        {
            var value = configuration[key];
            if (value is null) continue;
            var fields = alternatives.Select(a => a["properties"]![key]).OfType<JsonObject>().ToList();
            var secret = fields.Any(f => f["airbyte_secret"]?.GetValueKind() == System.Text.Json.JsonValueKind.True);
            if (secret && (value is JsonValue || value is JsonObject o && o.ContainsKey("_secret")))
                configuration[key] = replace(value);
            else if (value is JsonObject child)
                foreach (var field in fields) Walk(child, field, replace);
        }
    }
}
