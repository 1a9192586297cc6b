namespace AirbyteOps.Workspace.Normalization;

/// <summary>A normalization dbt project copied out of the workspace: where it is, where it came from, its models.</summary>
public sealed record NormalizationProject(string Directory, JobAttemptId Source, IReadOnlyList<string> Models)
{
    public static string DirectoryUnder(string artifactsDirectory) =>
        Path.GetFullPath(Path.Combine(artifactsDirectory, "normalization", "normalize"));
}
