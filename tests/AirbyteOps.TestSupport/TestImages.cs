using AirbyteOps.Images;

namespace AirbyteOps.TestSupport;

/// <summary>The local images the tests use, by the names the build gives them (ImageCatalog): never a literal.</summary>
public static class TestImages
{
    /// <summary>The helper image: volume access, stand-in servers, throw-away containers.</summary>
    public const string Busybox = ImageCatalog.Busybox;
    public const string Postgres = ImageCatalog.Postgres;
    public const string Normalization = ImageCatalog.Normalization;
    public const string DebianBase = ImageCatalog.DebianBase;

    /// <summary>What the engine fixture requires before any test runs.</summary>
    public static IReadOnlyList<string> Required { get; } = [Busybox, Postgres];
}
