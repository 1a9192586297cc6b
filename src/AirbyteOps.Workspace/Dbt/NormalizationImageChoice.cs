using System.Text.RegularExpressions;
using AirbyteOps.Docker;

namespace AirbyteOps.Workspace.Dbt;

/// <summary>
/// Which normalization image DbtRun uses when none is named: the one the job's own attempt ran, from its
/// "Preparing command: docker run ... airbyte/normalization:&lt;tag&gt; ..." log line (the real worker logs every docker
/// command so), else the version's known tag. Never an untagged image: no real host has <c>airbyte/normalization:latest</c>.
/// </summary>
public static partial class NormalizationImageChoice
{
    /// <summary>The image of the last "Preparing command: docker run" line that runs airbyte/normalization with a tag; null when none does.</summary>
    public static string? FromLog(IEnumerable<string> logLines)
    {
        string? found = null;
        foreach (var line in logLines)
        {
            var command = line.IndexOf("Preparing command: docker run ", StringComparison.Ordinal);
            if (command < 0) continue;
            if (NormalizationImage().Match(line, command) is { Success: true } match) found = match.Value;
        }
        return found;
    }

    /// <summary>
    /// The normalization tag each Airbyte version ran, where it is known here (the reference files name it for 0.7.x:
    /// <c>airbyte/normalization:0.1.2</c>). Other versions pinned other tags, which this tool does not guess.
    /// </summary>
    public static readonly IReadOnlyList<(int Major, int Minor, string Image)> KnownImages = [(0, 7, "airbyte/normalization:0.1.2")];

    /// <summary>
    /// The image for <paramref name="airbyteVersion"/> when the attempt's log names none: the version's known image;
    /// <paramref name="fallback"/> (0.7.1's) when the version is unknown; a clear error when the version is known but its tag is not.
    /// </summary>
    public static string ForVersion(string? airbyteVersion, string fallback, string attempt)
    {
        var numbers = (airbyteVersion ?? "").Trim().TrimStart('v', 'V').Split('.', '-');
        if (numbers.Length < 2 || !int.TryParse(numbers[0], System.Globalization.CultureInfo.InvariantCulture, out var major)
            || !int.TryParse(numbers[1], System.Globalization.CultureInfo.InvariantCulture, out var minor))
            return fallback;
        foreach (var known in KnownImages)
            if (known.Major == major && known.Minor == minor) return known.Image;
        throw new WorkspaceException($"{attempt}'s log names no normalization image and the tag Airbyte {airbyteVersion} ran is not known here: pass --normalization-image airbyte/normalization:<tag> (the tag your deployment's worker runs; a real host has no untagged image).");
    }

    /// <summary>Refuses an image reference without a tag (or digest): Docker would read it as :latest.</summary>
    public static string RequireTag(string image)
    {
        var name = image[(image.LastIndexOf('/') + 1)..];
        if (name.Contains(':', StringComparison.Ordinal) || image.Contains('@', StringComparison.Ordinal)) return image;
        throw new DockerOpsException($"Normalization image '{image}' has no tag, and a real host has no '{image}:latest': name the tag (--normalization-image {image}:0.1.2 is Airbyte 0.7.1's; the attempt's log line 'Preparing command: docker run ...' names the one its job ran).");
    }

    [GeneratedRegex(@"(?<=\s)\S*airbyte/normalization:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}(?=\s|$)")]
    private static partial Regex NormalizationImage();
}
