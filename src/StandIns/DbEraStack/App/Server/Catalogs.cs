using System.Text.Json.Nodes;

namespace AirbyteOps.StandIns.DbEraStack.Server;

/// <summary>
/// The API's AirbyteCatalog (camelCase, stream + config) and the protocol's ConfiguredAirbyteCatalog that
/// <c>connection.catalog</c> holds (snake_case, selected streams only), converted both ways as the real server does.
/// </summary>
public static class Catalogs
{
    private static readonly (string Api, string Protocol)[] StreamFields =
    [
        ("name", "name"), ("jsonSchema", "json_schema"), ("supportedSyncModes", "supported_sync_modes"), ("sourceDefinedCursor", "source_defined_cursor"),
        ("defaultCursorField", "default_cursor_field"), ("sourceDefinedPrimaryKey", "source_defined_primary_key"), ("namespace", "namespace"),
    ];

    private static readonly (string Api, string Protocol)[] ConfigFields =
        [("syncMode", "sync_mode"), ("cursorField", "cursor_field"), ("destinationSyncMode", "destination_sync_mode"), ("primaryKey", "primary_key")];

    public static JsonObject ToConfigured(JsonObject? api)
    {
        var streams = new JsonArray();
        foreach (var item in (api?["streams"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (item["config"] is JsonObject c && c["selected"]?.GetValue<bool>() == false) continue;
            var stream = new JsonObject();
            foreach (var (a, p) in StreamFields)
                if (item["stream"]?[a] is { } v) stream[p] = v.DeepClone();
            var configured = new JsonObject { ["stream"] = stream };
            foreach (var (a, p) in ConfigFields)
                if (item["config"]?[a] is { } v) configured[p] = v.DeepClone();
            streams.Add(configured);
        }
        return new JsonObject { ["streams"] = streams };
    }

    public static JsonObject ToApi(JsonObject? configured)
    {
        var streams = new JsonArray();
        foreach (var item in (configured?["streams"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var stream = new JsonObject();
            foreach (var (a, p) in StreamFields)
                if (item["stream"]?[p] is { } v) stream[a] = v.DeepClone();
            var config = new JsonObject { ["selected"] = true };
            foreach (var (a, p) in ConfigFields)
                if (item[p] is { } v) config[a] = v.DeepClone();
            streams.Add(new JsonObject { ["stream"] = stream, ["config"] = config });
        }
        return new JsonObject { ["streams"] = streams };
    }

    /// <summary>connection.field_selection_data: stream name → whether field selection is on (off unless the request says so).</summary>
    public static JsonObject FieldSelection(JsonObject? api)
    {
        var result = new JsonObject();
        foreach (var item in (api?["streams"] as JsonArray ?? []).OfType<JsonObject>())
            if (item["stream"]?["name"]?.GetValue<string>() is { } name)
                result[(item["stream"]?["namespace"]?.GetValue<string>() is { } ns ? ns + "/" : "") + name] = item["config"]?["fieldSelectionEnabled"]?.GetValue<bool>() ?? false;
        return result;
    }
}
