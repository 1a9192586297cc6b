namespace AirbyteOps.Docker;

/// <summary>
/// A failure the user can act on: the message is one line that names the container, volume, image or path
/// and, where there is one, the fix. Build targets print only this message.
/// </summary>
public sealed class DockerOpsException : Exception
{
    public DockerOpsException(string message) : base(message) { }
    public DockerOpsException(string message, Exception inner) : base(message, inner) { }
}
