namespace AirbyteOps.StandIns.DemoStack.Jobs;

/// <summary>Airbyte's job and attempt statuses (the enums of the jobs database).</summary>
public static class JobStatus
{
    public const string Pending = "pending";
    public const string Running = "running";
    public const string Incomplete = "incomplete";
    public const string Failed = "failed";
    public const string Succeeded = "succeeded";
    public const string Cancelled = "cancelled";

    public static bool IsTerminal(string status) => status is Failed or Succeeded or Cancelled;
}
