using System.Text.Json;
using System.Text.Json.Nodes;

namespace AirbyteOps.StandIns.DemoStack.Api;

/// <summary>Reading request bodies: a JSON object with typed fields, or an <see cref="ApiException"/> that says which field.</summary>
public static class ApiRequest
{
    public static async Task<JsonObject> BodyAsync(HttpRequest request, CancellationToken ct)
    {
        try
        {
            var node = await JsonNode.ParseAsync(request.Body, cancellationToken: ct).ConfigureAwait(false);
            return node as JsonObject ?? throw new ApiException(400, "The request body must be a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new ApiException(400, $"The request body is not valid JSON: {ex.Message}");
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

    public static JsonObject RequiredObject(JsonObject body, string field) =>
        body[field] as JsonObject ?? throw ApiException.Invalid($"Missing required object '{field}'.");

    public static long RequiredLong(JsonObject body, string field) =>
        body[field] is JsonValue value && value.TryGetValue<long>(out var n) ? n : throw ApiException.Invalid($"Missing required integer '{field}'.");
}
