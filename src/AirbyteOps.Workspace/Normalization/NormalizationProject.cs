namespace AirbyteOps.Workspace.Normalization;

/// <summary>A normalization dbt project copied out of the workspace: where it is, where it came from, its models.</summary>
public sealed record NormalizationProject(string Directory, JobAttemptId Source, IReadOnlyList<string> Models)
{
    /// <summary>
    /// Files of a normalize/ folder that hold the destination's password in plain text: dbt's profiles.yml, and the
    /// destination configuration the worker puts beside it (target_config.json in real 0.7.1, destination_config.json in
    /// later versions and the demo stack). ExtractNormalization writes them 0600.
    /// </summary>
    public static readonly IReadOnlyList<string> PasswordFiles = ["profiles.yml", "target_config.json", "destination_config.json"];

    /// <summary>True for a <see cref="PasswordFiles"/> name at the top of the project (a path relative to it).</summary>
    public static bool HoldsPassword(string relativePath) => PasswordFiles.Contains(relativePath, StringComparer.Ordinal);

    public static string DirectoryUnder(string artifactsDirectory) =>
        Path.GetFullPath(Path.Combine(artifactsDirectory, "normalization", "normalize"));
}
