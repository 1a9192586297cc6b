using System.Text.Json.Nodes;

namespace AirbyteOps.StandIns.DbEraStack.Server;

/// <summary>An API error with the 0.50.33 body: 404 NotFoundKnownExceptionInfo, 422 InvalidInputExceptionInfo.</summary>
public sealed class ApiException(int statusCode, string message, string? id = null) : Exception(message)
{
    public int StatusCode { get; } = statusCode;

    public JsonObject Body => StatusCode == 404
        ? new JsonObject { ["id"] = id, ["message"] = Message, ["exceptionClassName"] = "io.airbyte.commons.server.errors.IdNotFoundKnownException" }
        : new JsonObject { ["message"] = Message, ["exceptionClassName"] = "io.airbyte.commons.server.errors.BadObjectSchemaKnownException", ["validationErrors"] = new JsonArray() };

    public static ApiException NotFound(string what, object id) => new(404, $"Could not find configuration for {what}: {id}.", id.ToString());

    public static ApiException Invalid(string message) => new(422, message);
}
