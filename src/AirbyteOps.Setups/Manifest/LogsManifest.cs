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

    /// <summary>
    /// RestoreSetup's safety snapshot of the live job folders it replaces keeps them whole: their folders (empty ones
    /// included) and symbolic links, with modes, as manifest entries (path under logs/, type, mode, link target); the
    /// files' modes are on <see cref="LogFile.Mode"/>. Null in an export (only logs.log files, written back 0644 in 0755 folders).
    /// </summary>
    public IReadOnlyList<ManifestEntry>? Entries { get; init; }

    /// <summary>The folder and link entries that are job folders or lie in one (the others are refused on load).</summary>
    public IEnumerable<ManifestEntry> FoldersAndLinks => Entries ?? [];

    /// <summary>"logs/12/0/logs.log" → "12/0/logs.log" (the path in the workspace volume).</summary>
    public static string WorkspacePath(string file) => file[(Folder.Length + 1)..];

    public static string FileFor(long job, long attempt) => $"{Folder}/{job}/{attempt}/{LogName}";

    /// <summary>Same files, same bytes (stored), same placeholders.</summary>
    public bool SameAs(LogsManifest? other) =>
        other is not null &&
        Files.Select(f => (f.Path, f.Sha256)).OrderBy(f => f.Path, StringComparer.Ordinal)
            .SequenceEqual(other.Files.Select(f => (f.Path, f.Sha256)).OrderBy(f => f.Path, StringComparer.Ordinal));
}

/// <summary>One log file of a setup: its path in the setup (logs/...), size and SHA-256 as stored, and its mode where kept.</summary>
public sealed record LogFile(string Path, long Size, string Sha256)
{
    /// <summary>The file's permission bits as octal text ("0600"), where the capture kept them (a safety snapshot); null: 0644.</summary>
    public string? Mode { get; init; }
}
