namespace AirbyteOps.Trees;

/// <summary>An archive or tree is unsafe to write (an entry would land outside its folder, a device, a link out) or unreadable.</summary>
public sealed class TreeException : AirbyteOpsException
{
    public TreeException(string message) : base(message) { }
    public TreeException(string message, Exception inner) : base(message, inner) { }
}
