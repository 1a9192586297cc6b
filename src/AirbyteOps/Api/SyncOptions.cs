namespace AirbyteOps.Api;

/// <summary>Which connection to sync (its name or id) and how long its job may take.</summary>
public sealed record SyncOptions(string Connection, TimeSpan Timeout)
{
    /// <summary>How often jobs/get is asked while the job runs (not a parameter).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How often jobs/list is asked until the new job appears in it (a short list, asked only for the first moments).</summary>
    public TimeSpan FindInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How long after the sync call jobs/list is asked at <see cref="FindInterval"/>; a job not listed by then is looked for at
    /// <see cref="PollInterval"/>, so a server that never lists it is not asked ten times a second until the timeout.
    /// </summary>
    public TimeSpan FindFor { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The deployment's Airbyte version when known (--airbyte-version), e.g. 0.27.3-alpha: picks the jobs/list form first.</summary>
    public string? AirbyteVersion { get; init; }
}
