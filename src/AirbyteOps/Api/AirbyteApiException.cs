namespace AirbyteOps.Api;

public sealed class AirbyteApiException : AirbyteOpsException
{
    public AirbyteApiException(string message) : base(message) { }
    public AirbyteApiException(string message, Exception inner) : base(message, inner) { }
}
