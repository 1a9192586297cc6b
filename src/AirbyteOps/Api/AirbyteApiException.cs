namespace AirbyteOps.Api;

public sealed class AirbyteApiException : AirbyteOpsException
{
    public AirbyteApiException(string message) : base(message) { }
    public AirbyteApiException(string message, Exception inner) : base(message, inner) { }

    public AirbyteApiException(string message, int statusCode) : base(message) => StatusCode = statusCode;

    /// <summary>The HTTP status the server answered with, when it answered.</summary>
    public int? StatusCode { get; }

    /// <summary>True when the server took longer than the client waited.</summary>
    public bool TimedOut { get; init; }
}
