using System.Globalization;
using System.Text.RegularExpressions;

namespace AirbyteOps.Workspace.Dbt;

/// <summary>Reads dbt's console output: its closing <c>Done. PASS=.. WARN=.. ERROR=.. SKIP=.. TOTAL=..</c> line.</summary>
public static partial class DbtOutput
{
    // Unanchored: dbt prefixes lines with a time ("15:37:55 | " in 0.18, "15:37:55  " later) and may colour them.
    [GeneratedRegex(@"Done\.\s+PASS=(\d+)\s+WARN=(\d+)\s+ERROR=(\d+)\s+SKIP=(\d+)\s+TOTAL=(\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex DoneLine();

    [GeneratedRegex(@"\x1B\[[0-9;]*[A-Za-z]", RegexOptions.CultureInvariant)]
    private static partial Regex AnsiEscape();

    /// <summary>The counts of a Done line, or null when the line is not one.</summary>
    public static (int Pass, int Warn, int Error, int Skip, int Total)? ParseDoneLine(string line)
    {
        var match = DoneLine().Match(StripAnsi(line));
        if (!match.Success) return null;
        int At(int i) => int.Parse(match.Groups[i].Value, NumberStyles.None, CultureInfo.InvariantCulture);
        return (At(1), At(2), At(3), At(4), At(5));
    }

    public static string StripAnsi(string line) => AnsiEscape().Replace(line, "");
}
