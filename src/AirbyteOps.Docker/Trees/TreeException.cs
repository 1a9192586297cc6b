namespace AirbyteOps.Trees;

/// <summary>An archive or tree is unsafe to write (an entry would land outside its folder, a device, a link out) or unreadable.</summary>
public sealed class TreeException : AirbyteOpsException
{
    public TreeException(string message) : base(message) { }
    public TreeException(string message, Exception inner) : base(message, inner) { }

    /// <summary>How the source of the refused entry was named ("archive 'x.tar.gz'"), when <see cref="Entry"/> is set.</summary>
    public string? Where { get; init; }

    /// <summary>The entry refused (its name as read), when one entry is the reason; null otherwise.</summary>
    public string? Entry { get; init; }

    /// <summary>Why the entry was refused ("is a symbolic link to the absolute path ..."), when <see cref="Entry"/> is set.</summary>
    public string? Reason { get; init; }
}
