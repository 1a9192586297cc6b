using System.Text.Json;
using System.Text.RegularExpressions;

namespace AirbyteOps.StandIns.DemoStack.Worker;

/// <summary>Writes a YAML scalar plainly when that is safe (as PyYAML did), double-quoted otherwise.</summary>
public static partial class YamlScalar
{
    public static string Of(string value) =>
        PlainSafe().IsMatch(value) && !IsSpecial(value) ? value : JsonSerializer.Serialize(value);

    public static string Of(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static bool IsSpecial(string value) =>
        value.ToLowerInvariant() is "true" or "false" or "yes" or "no" or "on" or "off" or "null" or "~" or ""
        || double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _);

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_./@-]*$")]
    private static partial Regex PlainSafe();
}
