namespace AirbyteOps.StandIns.DemoStack.Api;

/// <summary>An API error with the status real Airbyte used: 404 for a missing config, 422 for invalid input (an unreadable body and an invalid config file included).</summary>
public sealed class ApiException : Exception
{
    public ApiException(int statusCode, string message) : base(message) => StatusCode = statusCode;

    public int StatusCode { get; }

    public static ApiException NotFound(string type, string id) => new(404, $"config type: {type} id: {id}");

    public static ApiException Invalid(string message) => new(422, message);
}
