namespace AirbyteOps.Postgres;

/// <summary>The destination Postgres cannot be used as asked: its password is refused, its port is held by another program.</summary>
public sealed class DestinationException : AirbyteOpsException
{
    public DestinationException(string message) : base(message) { }
    public DestinationException(string message, Exception inner) : base(message, inner) { }
}
