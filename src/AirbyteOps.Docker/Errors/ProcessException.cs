namespace AirbyteOps.Processes;

/// <summary>A program the build runs (apt-get, dockerd, debootstrap, dotnet, a local dbt) is missing or failed.</summary>
public sealed class ProcessException : AirbyteOpsException
{
    public ProcessException(string message) : base(message) { }
    public ProcessException(string message, Exception inner) : base(message, inner) { }
}
