using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Extensions;
using Microsoft.OpenApi.Readers;

namespace AirbyteOps.TestSupport;

/// <summary>
/// One version of Airbyte's real configuration API spec (<c>airbyte-reference/api/&lt;version&gt;/config.yaml</c>), read with
/// Microsoft.OpenApi.Readers, whose request and response schemas validate bodies with JsonSchema.Net. OpenAPI 3.0 schemas
/// become JSON Schema 2020-12 by the two documented differences: components/schemas become $defs, and
/// <c>nullable: true</c> adds "null" to the type.
/// </summary>
public sealed class OpenApiContract
{
    private static readonly ConcurrentDictionary<string, OpenApiContract> Loaded = new();
    private readonly JsonObject _document;
    private readonly JsonObject _defs;
    private readonly ConcurrentDictionary<string, JsonSchema> _schemas = new();

    private OpenApiContract(string version, string? path = null)
    {
        Version = version;
        using var stream = File.OpenRead(path ?? AirbyteReference.ApiSpec(version));
        var document = new OpenApiStreamReader().Read(stream, out var diagnostic);
        if (diagnostic.Errors.Count > 0)
            throw new InvalidOperationException($"The {version} spec does not read: {string.Join("; ", diagnostic.Errors.Select(e => e.Message))}");
        _document = JsonNode.Parse(document.SerializeAsJson(OpenApiSpecVersion.OpenApi3_0))!.AsObject();
        _defs = Convert(_document["components"]!["schemas"]!.DeepClone())!.AsObject();
    }

    public string Version { get; }

    public static OpenApiContract For(string version) => Loaded.GetOrAdd(version, v => new OpenApiContract(v));

    /// <summary>The database-era spec of a version (db-era/&lt;version&gt;/config-api.yaml; 0.50.33 is the one in the reference).</summary>
    public static OpenApiContract ForDbEra(string version) =>
        Loaded.GetOrAdd("db-era/" + version, _ => new OpenApiContract(version, AirbyteReference.DbEra(version, "config-api.yaml")));

    /// <summary>True when the spec has POST /v1/<paramref name="route"/>.</summary>
    public bool HasRoute(string route) => Operation(route) is not null;

    /// <summary>The problems of a request body for POST /v1/<paramref name="route"/>; empty when valid.</summary>
    public IReadOnlyList<string> CheckRequest(string route, JsonNode? body)
    {
        var operation = Operation(route) ?? throw new InvalidOperationException($"Airbyte {Version} has no POST /v1/{route}.");
        if (operation["requestBody"]?["content"]?["application/json"]?["schema"] is not { } schema)
            return body is null || body is JsonObject { Count: 0 } ? [] : [$"{route} takes no request body in {Version}"];
        return Check($"{route} request", schema, body);
    }

    /// <summary>The problems of a response body of POST (or GET) /v1/<paramref name="route"/> with <paramref name="status"/>; empty when valid.</summary>
    public IReadOnlyList<string> CheckResponse(string route, int status, JsonNode? body)
    {
        var operation = Operation(route) ?? Path(route)?["get"] ?? throw new InvalidOperationException($"Airbyte {Version} has no /v1/{route}.");
        var responses = operation["responses"]!.AsObject();
        if (!responses.TryGetPropertyValue(status.ToString(System.Globalization.CultureInfo.InvariantCulture), out var response))
            return [$"{route} answered {status}, which {Version} does not declare (it declares {string.Join(", ", responses.Select(r => r.Key))})"];
        if (response?["content"]?["application/json"]?["schema"] is not { } schema) return [];
        return Check($"{route} {status} response", schema, body);
    }

    private JsonNode? Path(string route) => _document["paths"]?[$"/v1/{route}"];

    private JsonNode? Operation(string route) => Path(route)?["post"];

    private IReadOnlyList<string> Check(string what, JsonNode schema, JsonNode? body)
    {
        var json = Schema(schema);
        using var instance = JsonDocument.Parse(body?.ToJsonString() ?? "null");
        var results = json.Evaluate(instance.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid) return [];
        var problems = (results.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{what} ({Version}) at '{d.InstanceLocation}': {e.Value}"))
            .ToList();
        return problems.Count > 0 ? problems : [$"{what} ({Version}) is invalid"];
    }

    private JsonSchema Schema(JsonNode schema)
    {
        var key = schema.ToJsonString();
        return _schemas.GetOrAdd(key, _ =>
        {
            var root = Convert(schema.DeepClone())!.AsObject();
            var wrapper = new JsonObject
            {
                ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
                ["$id"] = $"https://airbyteops.test/{Version}/{Guid.NewGuid():N}",
                ["$defs"] = _defs.DeepClone(),
                ["allOf"] = new JsonArray(root),
            };
            return JsonSchema.FromText(wrapper.ToJsonString());
        });
    }

    /// <summary>
    /// A known defect of the real specs: some schemas require a snake_case name whose property is declared camelCase
    /// (AirbyteStream requires <c>json_schema</c> beside <c>jsonSchema</c> and <c>additionalProperties: false</c>, 0.12's
    /// SourceDiscoverSchemaRead <c>job_info</c> beside <c>jobInfo</c>), which no body can satisfy; Airbyte's generated
    /// server binds by the declared property. Such a requirement is read as the declared property's.
    /// </summary>
    private static void FixSnakeCaseRequired(JsonObject schema)
    {
        if (schema["required"] is not JsonArray required || schema["properties"] is not JsonObject properties) return;
        schema["required"] = new JsonArray(required.Select(r => r!.GetValue<string>())
            .Select(name => properties.ContainsKey(name) ? name : CamelCase(name) is var camel && properties.ContainsKey(camel) ? camel : name)
            .Select(name => (JsonNode?)JsonValue.Create(name)).ToArray());
    }

    private static string CamelCase(string snake)
    {
        var parts = snake.Split('_');
        return parts[0] + string.Concat(parts.Skip(1).Select(p => p.Length == 0 ? p : char.ToUpperInvariant(p[0]) + p[1..]));
    }

    /// <summary>OpenAPI 3.0 schema → JSON Schema 2020-12: refs to $defs, nullable to a "null" type.</summary>
    private static JsonNode? Convert(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var key in o.Select(p => p.Key).ToList())
                {
                    if (key == "$ref" && o[key]?.GetValue<string>() is { } reference)
                        o[key] = reference.Replace("#/components/schemas/", "#/$defs/", StringComparison.Ordinal);
                    else
                        o[key] = Convert(o[key]?.DeepClone());
                }
                FixSnakeCaseRequired(o);
                if (o["nullable"]?.GetValue<bool>() == true && o["type"] is JsonValue type)
                    o["type"] = new JsonArray(type.GetValue<string>(), "null");
                o.Remove("nullable");
                return o;
            case JsonArray a:
                return new JsonArray(a.Select(item => Convert(item?.DeepClone())).ToArray());
            default:
                return node;
        }
    }
}
