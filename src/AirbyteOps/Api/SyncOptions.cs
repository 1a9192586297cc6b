namespace AirbyteOps.Api;

/// <summary>Which connection to sync (its name or id) and how long its job may take.</summary>
public sealed record SyncOptions(string Connection, TimeSpan Timeout)
{
    /// <summary>How often jobs/get is asked while the job runs (not a parameter).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);
}
