namespace AirbyteOps.TestSupport;

/// <summary>
/// The real Airbyte reference files (specs, schemas, seed): <c>../shared/airbyte-reference</c> beside the checkout, found
/// by walking up from the test binaries to the folder holding build.sh. CI clones the repository elsewhere with a copy
/// of shared/ beside it, so no absolute path is assumed.
/// </summary>
public static class AirbyteReference
{
    /// <summary>The versions the contract tests speak for (folder names under api/).</summary>
    public const string V071 = "v0.7.1-alpha", V012 = "v0.12.0-alpha", V020 = "v0.20.0-alpha", V0273 = "v0.27.3-alpha";

    public static string Root { get; } = FindRoot();

    public static string ApiSpec(string version) => Existing(Path.Combine(Root, "api", version, "config.yaml"));

    /// <summary>The database-era version with an API spec in the reference (db-era/v0.50.33/config-api.yaml).</summary>
    public const string V05033 = "v0.50.33";

    /// <summary>A file of the database-era reference: db-era/&lt;version&gt;/&lt;name&gt; (schema dumps, Flyway list, compose, spec).</summary>
    public static string DbEra(string version, string name) => Existing(Path.Combine(Root, "db-era", version, name));

    public static string ConfigSeed(string version) => Existing(Path.Combine(Root, "config-seed", version, "config"));

    public static string DataTreeReconstructed => Existing(Path.Combine(Root, "data-tree-reconstructed", "tutorial-0.7"));

    public static string ConfigTypes(string version) => Existing(Path.Combine(Root, "config-types", version));

    private static string Existing(string path) =>
        File.Exists(path) || Directory.Exists(path) ? path : throw new InvalidOperationException($"The Airbyte reference file '{path}' is missing from {Root}.");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "build.sh"))) continue;
            var reference = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "airbyte-reference"));
            return Directory.Exists(reference) ? reference
                : throw new InvalidOperationException($"The contract tests need Airbyte's reference files at {reference} (the folder 'shared' beside the checkout {dir.FullName}); copy shared/ there.");
        }
        throw new InvalidOperationException("Cannot find the repository root (no build.sh above " + AppContext.BaseDirectory + "), so not ../shared/airbyte-reference either.");
    }
}
