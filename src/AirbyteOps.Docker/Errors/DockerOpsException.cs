namespace AirbyteOps.Docker;

/// <summary>The Docker engine, or a container, volume, image or network in it, failed or is not as needed.</summary>
public sealed class DockerOpsException : AirbyteOpsException
{
    public DockerOpsException(string message) : base(message) { }
    public DockerOpsException(string message, Exception inner) : base(message, inner) { }
}
