namespace AirbyteOps.Compose;

/// <summary>Which compose project: the file, the project name, an env file, the server's API, how long to wait.</summary>
public sealed record ComposeOptions(string ComposeFile, string Project, string? EnvFile, Uri ServerUrl, TimeSpan Timeout);
