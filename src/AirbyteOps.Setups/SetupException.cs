namespace AirbyteOps.Setups;

/// <summary>A setup, its manifest, its secrets file or its name is wrong, or the restore cannot go on; the message says which and the fix.</summary>
public sealed class SetupException : AirbyteOpsException
{
    public SetupException(string message) : base(message) { }
    public SetupException(string message, Exception inner) : base(message, inner) { }
}
