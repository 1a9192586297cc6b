using System.Text.Json;
using System.Text.Json.Nodes;

namespace AirbyteOps.StandIns.DemoStack.Api;

/// <summary>
/// Reading request bodies: a JSON object with typed fields, or an <see cref="ApiException"/> (422, as Airbyte's
/// InvalidInput response) that says which field. A body that is not JSON is a 422 too, as Airbyte's JSON exception
/// mappers answered it.
/// </summary>
public static class ApiRequest
{
    public static async Task<JsonObject> BodyAsync(HttpRequest request, CancellationToken ct)
    {
        try
        {
            var node = await JsonNode.ParseAsync(request.Body, cancellationToken: ct).ConfigureAwait(false);
            return node as JsonObject ?? throw ApiException.Invalid("Invalid json input. The request body must be a JSON object.");
        }
        catch (JsonException ex)
        {
            throw ApiException.Invalid($"Invalid json. {ex.Message}");
        }
    }

    public static Guid RequiredId(JsonObject body, string field)
    {
        var text = body[field] is JsonValue value && value.TryGetValue<string>(out var s) ? s : null;
        if (text is null) throw ApiException.Invalid($"Missing required field '{field}'.");
        return Guid.TryParse(text, out var id) ? id : throw ApiException.Invalid($"Field '{field}' is not a UUID: '{text}'.");
    }

    public static string RequiredString(JsonObject body, string field) =>
        body[field] is JsonValue value && value.TryGetValue<string>(out var s) && s.Length > 0 ? s : throw ApiException.Invalid($"Missing required field '{field}'.");

    /// <summary>A required string that must be one of the spec's enum values.</summary>
    public static string RequiredEnum(JsonObject body, string field, params string[] allowed)
    {
        var value = body[field] is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw ApiException.Invalid($"Missing required field '{field}'.");
        return allowed.Contains(value, StringComparer.Ordinal) ? value : throw ApiException.Invalid($"{field} must be one of {string.Join(", ", allowed)}, not '{value}'.");
    }

    public static JsonObject RequiredObject(JsonObject body, string field) =>
        body[field] as JsonObject ?? throw ApiException.Invalid($"Missing required object '{field}'.");

    public static long RequiredLong(JsonObject body, string field) =>
        body[field] is JsonValue value && value.TryGetValue<long>(out var n) ? n : throw ApiException.Invalid($"Missing required integer '{field}'.");
}
