using System.Text;
using System.Text.Json.Nodes;

namespace AirbyteOps.StandIns.DemoStack.Worker;

/// <summary>
/// The catalog shapes of Airbyte 0.7: the API's SourceSchema (syncSchema), the config's Schema (STANDARD_SYNC.schema),
/// the configured AirbyteCatalog written to catalog.json, and the Singer catalog written to singer_rendered_catalog.json.
/// </summary>
public static class CatalogDocuments
{
    /// <summary>
    /// API SourceSchema for discovered streams: every stream and field selected, full refresh; a stream with a cursor
    /// also offers incremental, with its source-defined cursor as default cursor field.
    /// </summary>
    public static JsonObject ToSourceSchema(IEnumerable<StandInStream> streams)
    {
        var list = new JsonArray();
        foreach (var stream in streams)
        {
            var fields = new JsonArray();
            foreach (var (name, type) in stream.Fields)
                fields.Add(new JsonObject { ["name"] = name, ["cleanedName"] = CleanName(name), ["dataType"] = type, ["selected"] = true });
            list.Add(new JsonObject
            {
                ["name"] = stream.Name,
                ["cleanedName"] = CleanName(stream.Name),
                ["fields"] = fields,
                ["supportedSyncModes"] = new JsonArray(stream.SupportedSyncModes.Select(m => (JsonNode?)m).ToArray()),
                ["sourceDefinedCursor"] = stream.SupportsIncremental,
                ["defaultCursorField"] = stream.CursorField is { } cursor ? new JsonArray(cursor) : new JsonArray(),
                ["syncMode"] = "full_refresh",
                ["cursorField"] = new JsonArray(),
            });
        }
        return new JsonObject { ["streams"] = list };
    }

    /// <summary>
    /// API syncSchema → config Schema (drops cleanedName; a stream is selected when any field is). In a connection whose
    /// syncMode is <c>incremental</c>, every stream that supports incremental is synced incrementally, on its cursor
    /// field or else its default one (0.7.1 set the mode per connection; the per-stream fields were being introduced).
    /// </summary>
    public static JsonObject ApiToConfigSchema(JsonObject syncSchema, string connectionSyncMode = "full_refresh")
    {
        var streams = new JsonArray();
        foreach (var node in syncSchema["streams"]?.AsArray() ?? [])
        {
            var stream = node!.AsObject();
            var fields = new JsonArray();
            foreach (var field in stream["fields"]?.AsArray() ?? [])
                fields.Add(new JsonObject { ["name"] = field!["name"]?.DeepClone(), ["dataType"] = field["dataType"]?.DeepClone(), ["selected"] = field["selected"]?.GetValue<bool>() ?? true });
            var copy = new JsonObject
            {
                ["name"] = stream["name"]?.DeepClone(),
                ["fields"] = fields,
                ["selected"] = fields.Any(f => f!["selected"]!.GetValue<bool>()),
                ["supportedSyncModes"] = stream["supportedSyncModes"]?.DeepClone() ?? new JsonArray("full_refresh"),
                ["sourceDefinedCursor"] = stream["sourceDefinedCursor"]?.DeepClone() ?? false,
                ["defaultCursorField"] = stream["defaultCursorField"]?.DeepClone() ?? new JsonArray(),
                ["syncMode"] = stream["syncMode"]?.DeepClone() ?? "full_refresh",
                ["cursorField"] = stream["cursorField"]?.DeepClone() ?? new JsonArray(),
            };
            var supportsIncremental = copy["supportedSyncModes"] is JsonArray modes && modes.Any(m => m?.GetValue<string>() == "incremental");
            if (connectionSyncMode == "incremental" && supportsIncremental)
            {
                copy["syncMode"] = "incremental";
                if (copy["cursorField"] is not JsonArray { Count: > 0 }) copy["cursorField"] = copy["defaultCursorField"]!.DeepClone();
            }
            streams.Add(copy);
        }
        return new JsonObject { ["streams"] = streams };
    }

    /// <summary>Config Schema → API syncSchema (adds cleanedName).</summary>
    public static JsonObject ConfigToApiSchema(JsonObject? schema)
    {
        var streams = new JsonArray();
        foreach (var node in schema?["streams"]?.AsArray() ?? [])
        {
            var stream = node!.AsObject();
            var fields = new JsonArray();
            foreach (var field in stream["fields"]?.AsArray() ?? [])
            {
                var name = field!["name"]?.GetValue<string>() ?? "";
                fields.Add(new JsonObject { ["name"] = name, ["cleanedName"] = CleanName(name), ["dataType"] = field["dataType"]?.DeepClone(), ["selected"] = field["selected"]?.DeepClone() ?? true });
            }
            var streamName = stream["name"]?.GetValue<string>() ?? "";
            streams.Add(new JsonObject
            {
                ["name"] = streamName,
                ["cleanedName"] = CleanName(streamName),
                ["fields"] = fields,
                ["supportedSyncModes"] = stream["supportedSyncModes"]?.DeepClone() ?? new JsonArray("full_refresh"),
                ["sourceDefinedCursor"] = stream["sourceDefinedCursor"]?.DeepClone() ?? false,
                ["defaultCursorField"] = stream["defaultCursorField"]?.DeepClone() ?? new JsonArray(),
                ["syncMode"] = stream["syncMode"]?.DeepClone() ?? "full_refresh",
                ["cursorField"] = stream["cursorField"]?.DeepClone() ?? new JsonArray(),
            });
        }
        return new JsonObject { ["streams"] = streams };
    }

    /// <summary>
    /// Config Schema → configured AirbyteCatalog (catalog.json), selected streams and fields only, in the exact
    /// shape the tutorial prints.
    /// </summary>
    public static JsonObject ToConfiguredCatalog(JsonObject schema)
    {
        var streams = new JsonArray();
        foreach (var node in schema["streams"]?.AsArray() ?? [])
        {
            var stream = node!.AsObject();
            var properties = new JsonObject();
            foreach (var field in stream["fields"]?.AsArray() ?? [])
            {
                if (field!["selected"]?.GetValue<bool>() == false) continue;
                properties[field["name"]!.GetValue<string>()] = new JsonObject { ["type"] = field["dataType"]?.GetValue<string>() ?? "string" };
            }
            if (properties.Count == 0) continue;
            streams.Add(new JsonObject
            {
                ["stream"] = new JsonObject
                {
                    ["name"] = stream["name"]?.DeepClone(),
                    ["json_schema"] = new JsonObject { ["type"] = "object", ["properties"] = properties },
                    ["supported_sync_modes"] = stream["supportedSyncModes"]?.DeepClone() ?? new JsonArray("full_refresh"),
                    ["default_cursor_field"] = stream["defaultCursorField"]?.DeepClone() ?? new JsonArray(),
                },
                ["sync_mode"] = stream["syncMode"]?.DeepClone() ?? "full_refresh",
                ["cursor_field"] = stream["cursorField"]?.DeepClone() ?? new JsonArray(),
            });
        }
        return new JsonObject { ["streams"] = streams };
    }

    /// <summary>Configured catalog → the Singer catalog 0.7 rendered for singer taps (singer_rendered_catalog.json).</summary>
    public static JsonObject ToSingerCatalog(JsonObject configuredCatalog)
    {
        var streams = new JsonArray();
        foreach (var node in configuredCatalog["streams"]?.AsArray() ?? [])
        {
            var stream = node!["stream"]!.AsObject();
            var name = stream["name"]!.GetValue<string>();
            var metadata = new JsonArray
            {
                new JsonObject
                {
                    ["breadcrumb"] = new JsonArray(),
                    ["metadata"] = new JsonObject { ["selected"] = true, ["forced-replication-method"] = "FULL_TABLE" },
                },
            };
            var properties = stream["json_schema"]?["properties"]?.AsObject() ?? [];
            foreach (var property in properties)
                metadata.Add(new JsonObject { ["breadcrumb"] = new JsonArray("properties", property.Key), ["metadata"] = new JsonObject { ["selected"] = true } });
            var schema = stream["json_schema"]!.DeepClone().AsObject();
            streams.Add(new JsonObject { ["tap_stream_id"] = name, ["stream"] = name, ["schema"] = schema, ["metadata"] = metadata });
        }
        return new JsonObject { ["streams"] = streams };
    }

    /// <summary>Airbyte's Names.toAlphanumericAndUnderscore.</summary>
    public static string CleanName(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name.Trim())
            builder.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        return builder.ToString();
    }
}
