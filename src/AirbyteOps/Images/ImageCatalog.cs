namespace AirbyteOps.Images;

/// <summary>
/// The images the project needs, by role. With --images local (the default) every one is built here from
/// Debian packages and the project's own sources; with --images official the Docker Hub images are used.
/// </summary>
public static class ImageCatalog
{
    public const string DebianBase = "airbyteops/debian:bookworm";
    public const string Busybox = "airbyteops/busybox:latest";
    public const string Postgres = "airbyteops/postgres:15";
    public const string Normalization = "airbyteops/normalization-standin:0.18.1";

    private static readonly AppPublish StandInApp = new("src/StandIns/DemoStack/App/AirbyteOps.StandIns.DemoStack.csproj", "app");
    private static readonly AppPublish DbEraApp = new("src/StandIns/DbEraStack/App/AirbyteOps.StandIns.DbEraStack.csproj", "app");

    /// <summary>Airbyte version of the database-era demo stack's stand-in images.</summary>
    public const string DbEraVersion = "0.50.33";

    public static IReadOnlyList<ImageRecipe> Local { get; } =
    [
        new DebianBaseRecipe(DebianBase),
        new BusyboxRecipe(Busybox),
        new DockerfileRecipe(Postgres, "src/StandIns/Postgres/image", [DebianBase]),
        // A stand-in for airbyte/normalization: a stand-in dbt that keeps the real one's contract (see its README).
        new DockerfileRecipe(Normalization, "src/StandIns/Dbt/image", [DebianBase],
            [new AppPublish("src/StandIns/Dbt/AirbyteOps.StandIns.Dbt.csproj", "dbt")]),
        // The demo stack: stand-ins for Airbyte 0.7.1-alpha's images (see src/StandIns/DemoStack/README.md).
        new DockerfileRecipe("airbyteops/airbyte-init:0.7.1-alpha", "src/StandIns/DemoStack/images/airbyte-init", [Busybox]),
        new DockerfileRecipe("airbyteops/airbyte-seed:0.7.1-alpha", "src/StandIns/DemoStack/images/airbyte-seed", [Busybox]),
        new DockerfileRecipe("airbyteops/airbyte-db:0.7.1-alpha", "src/StandIns/DemoStack/images/airbyte-db", [Postgres]),
        new DockerfileRecipe("airbyteops/airbyte-server:0.7.1-alpha", "src/StandIns/DemoStack/images/airbyte-server", [DebianBase], [StandInApp]),
        new DockerfileRecipe("airbyteops/airbyte-scheduler:0.7.1-alpha", "src/StandIns/DemoStack/images/airbyte-scheduler", [DebianBase], [StandInApp]),
        new DockerfileRecipe("airbyteops/airbyte-webapp:0.7.1-alpha", "src/StandIns/DemoStack/images/airbyte-webapp", [DebianBase], [StandInApp]),
        // The database-era demo stack: stand-ins for Airbyte 0.50.33's images (see src/StandIns/DbEraStack/README.md).
        new DockerfileRecipe($"airbyteops/airbyte-db:{DbEraVersion}", "src/StandIns/DbEraStack/images/airbyte-db", [Postgres]),
        new DockerfileRecipe($"airbyteops/airbyte-bootloader:{DbEraVersion}", "src/StandIns/DbEraStack/images/airbyte-bootloader", [DebianBase], [DbEraApp]),
        new DockerfileRecipe($"airbyteops/airbyte-server:{DbEraVersion}", "src/StandIns/DbEraStack/images/airbyte-server", [DebianBase], [DbEraApp]),
        new DockerfileRecipe($"airbyteops/airbyte-proxy:{DbEraVersion}", "src/StandIns/DbEraStack/images/airbyte-proxy", [DebianBase], [DbEraApp]),
    ];

    /// <summary>The images of the demo stack (stand-ins for Airbyte 0.7's).</summary>
    public static IReadOnlyList<string> DemoStack => Local.Select(r => r.Tag).Where(t => t.StartsWith("airbyteops/airbyte-", StringComparison.Ordinal) && t.EndsWith(":0.7.1-alpha", StringComparison.Ordinal)).ToList();

    /// <summary>The images of the database-era demo stack (stand-ins for Airbyte 0.50.33's).</summary>
    public static IReadOnlyList<string> DbEraStack => Local.Select(r => r.Tag).Where(t => t.StartsWith("airbyteops/airbyte-", StringComparison.Ordinal) && t.EndsWith(":" + DbEraVersion, StringComparison.Ordinal)).ToList();

    /// <summary>Every local image.</summary>
    public static IReadOnlyList<string> All => Local.Select(r => r.Tag).ToList();

    /// <summary>The recipe of an image and the recipes of the local images it is built FROM, bases first.</summary>
    public static IReadOnlyList<ImageRecipe> Closure(string tag) => Closure(tag, Local);

    /// <summary>The same among the given recipes.</summary>
    public static IReadOnlyList<ImageRecipe> Closure(string tag, IReadOnlyList<ImageRecipe> recipes)
    {
        var result = new List<ImageRecipe>();
        void Visit(string t)
        {
            var recipe = recipes.FirstOrDefault(r => r.Tag == t);
            if (recipe is null || result.Contains(recipe)) return;
            foreach (var b in recipe.BaseImages) Visit(b);
            result.Add(recipe);
        }
        Visit(tag);
        return result;
    }

    /// <summary>The image for a role: the local build, or the official one.</summary>
    public static string Resolve(ImageRole role, ImageSource source) => (role, source) switch
    {
        (ImageRole.Busybox, ImageSource.Local) => Busybox,
        (ImageRole.Busybox, ImageSource.Official) => "busybox:latest",
        (ImageRole.Postgres, ImageSource.Local) => Postgres,
        (ImageRole.Postgres, ImageSource.Official) => "postgres:15",
        (ImageRole.Normalization, ImageSource.Local) => Normalization,
        (ImageRole.Normalization, ImageSource.Official) => "airbyte/normalization:0.1.2",
        _ => throw new ArgumentOutOfRangeException(nameof(role), $"No image for {role} from {source}."),
    };
}

public enum ImageRole { Busybox, Postgres, Normalization }

public enum ImageSource { Local, Official }
