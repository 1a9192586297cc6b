namespace AirbyteOps.Compose;

/// <summary>A compose problem the user can act on, in one line.</summary>
public sealed class ComposeException : AirbyteOpsException
{
    public ComposeException(string message) : base(message) { }
    public ComposeException(string message, Exception inner) : base(message, inner) { }
}
