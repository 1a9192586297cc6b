namespace AirbyteOps.TestSupport;

/// <summary>Paths in the checkout, found from the test binaries upwards (the folder holding Directory.Packages.props).</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Directory.Packages.props"))) return dir.FullName;
        throw new InvalidOperationException("Cannot find the repository root (no Directory.Packages.props above " + AppContext.BaseDirectory + ").");
    }
}
