namespace AirbyteOps.Compose;

/// <summary>Which compose project: the file, the project name, an env file, the server's API, how long to wait.</summary>
public sealed record ComposeOptions(string ComposeFile, string Project, string? EnvFile, Uri ServerUrl, TimeSpan Timeout)
{
    /// <summary>ComposeUp: makes sure the project's local images are built; run while the project's state is read.</summary>
    public Func<CancellationToken, Task>? EnsureImages { get; init; }

    /// <summary>
    /// The container of the deployment's database (airbyte-db): ComposeUp also waits until its real server answers when its
    /// service has no healthcheck of its own (no Airbyte release file has one), since the server's health does not cover
    /// it (0.7: the config files only). Null: not waited for.
    /// </summary>
    public string? DatabaseContainer { get; init; }
}
