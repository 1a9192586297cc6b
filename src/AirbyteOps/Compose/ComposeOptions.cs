namespace AirbyteOps.Compose;

/// <summary>Which compose project: the file, the project name, an env file, the server's API, how long to wait.</summary>
public sealed record ComposeOptions(string ComposeFile, string Project, string? EnvFile, Uri ServerUrl, TimeSpan Timeout)
{
    /// <summary>ComposeUp: makes sure the project's local images are built; run while the project's state is read.</summary>
    public Func<CancellationToken, Task>? EnsureImages { get; init; }
}
