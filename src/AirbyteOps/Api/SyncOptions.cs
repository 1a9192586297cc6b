namespace AirbyteOps.Api;

/// <summary>Which connection to sync (its name or id), on which server, and how long the job may take.</summary>
public sealed record SyncOptions(string Connection, Uri ServerUrl, TimeSpan Timeout)
{
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);
}
