using System.Globalization;

namespace AirbyteOps.Setups.Manifest;

/// <summary>Airbyte version text ("0.7.1-alpha") and the major.minor rule: configuration moves freely between patch versions only.</summary>
public static class AirbyteVersion
{
    public static (int Major, int Minor)? MajorMinor(string? version)
    {
        if (string.IsNullOrWhiteSpace(version)) return null;
        var parts = version.TrimStart('v', 'V').Split('.', '-', '+');
        if (parts.Length < 2) return null;
        return int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var major) &&
               int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minor)
            ? (major, minor)
            : null;
    }

    /// <summary>The first Airbyte version that keeps its configuration in the database instead of files under CONFIG_ROOT.</summary>
    public const string DatabaseEraFrom = "0.27.4";

    /// <summary>(major, minor, patch) of "0.29.0-alpha", or null when the text is no version.</summary>
    public static (int Major, int Minor, int Patch)? Numbers(string? version)
    {
        if (string.IsNullOrWhiteSpace(version)) return null;
        var parts = version.Trim().TrimStart('v', 'V').Split('-', '+')[0].Split('.');
        if (parts.Length < 2) return null;
        var numbers = new int[3];
        for (var i = 0; i < Math.Min(3, parts.Length); i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i])) return null;
        return (numbers[0], numbers[1], numbers[2]);
    }

    /// <summary>True for versions from <see cref="DatabaseEraFrom"/> on: their configuration lives in the database.</summary>
    public static bool IsDatabaseEra(string? version) => Numbers(version) is { } v && v.CompareTo((0, 27, 4)) >= 0;

    /// <summary>True when both are known and differ in major or minor.</summary>
    public static bool Incompatible(string? a, string? b) => MajorMinor(a) is { } x && MajorMinor(b) is { } y && x != y;

    /// <summary>AIRBYTE_VERSION from the server's environment, else the tag of its image (unless "latest"), else null.</summary>
    public static string? FromServer(IReadOnlyDictionary<string, string>? environment, string? image)
    {
        if (environment is not null && environment.TryGetValue("AIRBYTE_VERSION", out var v) && !string.IsNullOrWhiteSpace(v)) return v;
        if (image is null) return null;
        var (_, tag) = AirbyteOps.Docker.ImageOperations.SplitReference(image);
        return tag is "latest" or "" ? null : tag;
    }
}
