namespace AirbyteOps.Locks;

/// <summary>Another operation held the deployment's lock for longer than the wait allowed; the message names it.</summary>
public sealed class DeploymentBusyException : AirbyteOpsException
{
    public DeploymentBusyException(string message) : base(message) { }
}
