namespace AirbyteOps.Setups.Manifest;

/// <summary>
/// The job logs part of a setup (setup.json "logs", with <c>--include logs</c>): the <c>logs.log</c> of every attempt the
/// setup's database holds, from the workspace volume, stored as <c>logs/&lt;job&gt;/&lt;attempt&gt;/logs.log</c>, each with its
/// size and SHA-256 as stored (secret values replaced by placeholders; <see cref="Secrets"/> lists them, the values are
/// in the sidecar under each file's name).
/// </summary>
public sealed record LogsManifest
{
    public const string Folder = "logs";
    public const string LogName = "logs.log";

    /// <summary>The workspace volume they were read from (airbyte_workspace).</summary>
    public required string Volume { get; init; }
    public required IReadOnlyList<LogFile> Files { get; init; }
    public IReadOnlyList<SecretReference> Secrets { get; init; } = [];

    /// <summary>"logs/12/0/logs.log" → "12/0/logs.log" (the path in the workspace volume).</summary>
    public static string WorkspacePath(string file) => file[(Folder.Length + 1)..];

    public static string FileFor(long job, long attempt) => $"{Folder}/{job}/{attempt}/{LogName}";

    /// <summary>Same files, same bytes (stored), same placeholders.</summary>
    public bool SameAs(LogsManifest? other) =>
        other is not null &&
        Files.Select(f => (f.Path, f.Sha256)).OrderBy(f => f.Path, StringComparer.Ordinal)
            .SequenceEqual(other.Files.Select(f => (f.Path, f.Sha256)).OrderBy(f => f.Path, StringComparer.Ordinal));
}

/// <summary>One log file of a setup: its path in the setup (logs/...), size and SHA-256 as stored.</summary>
public sealed record LogFile(string Path, long Size, string Sha256);
