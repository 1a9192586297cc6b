namespace AirbyteOps.Workspace;

/// <summary>A job, attempt, normalization project or dbt run in Airbyte's workspace is not as needed; the message says which and the fix.</summary>
public sealed class WorkspaceException : AirbyteOpsException
{
    public WorkspaceException(string message) : base(message) { }
    public WorkspaceException(string message, Exception inner) : base(message, inner) { }
}
