namespace AirbyteOps.Workspace.Jobs;

/// <summary>One attempt of one job in the workspace volume: its files and what they say about it.</summary>
public sealed record JobAttempt(JobAttemptId Id, IReadOnlyList<WorkspaceFile> Files, string? LastLogLine)
{
    public const string LogFileName = "logs.log";
    public const string CatalogFileName = "catalog.json";
    public const string NormalizeFolder = "normalize";

    /// <summary>Same test as the tutorial's <c>find -path "*normalize/models*"</c>.</summary>
    public bool HasNormalization => Files.Any(f => f.Path == "normalize/models" || f.Path.StartsWith("normalize/models/", StringComparison.Ordinal));

    public WorkspaceFile? Log => Files.FirstOrDefault(f => f.Path == LogFileName && !f.IsDirectory);

    /// <summary>The generated dbt models (paths relative to the attempt folder).</summary>
    public IReadOnlyList<string> Models => Files
        .Where(f => !f.IsDirectory && f.Path.StartsWith("normalize/models/", StringComparison.Ordinal) && f.Path.EndsWith(".sql", StringComparison.Ordinal))
        .Select(f => f.Path)
        .Order(StringComparer.Ordinal)
        .ToList();

    /// <summary>Newest file time in the attempt: when it last did something.</summary>
    public DateTimeOffset? LastModified => Files.Count == 0 ? null : Files.Max(f => f.Modified);
}
