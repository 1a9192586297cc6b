namespace AirbyteOps.Workspace.Jobs;

/// <summary>One entry of a job attempt's folder, as the volume's tar headers describe it (nothing extracted).</summary>
public sealed record WorkspaceFile(string Path, long Size, DateTimeOffset Modified, UnixFileMode Mode, bool IsDirectory);
