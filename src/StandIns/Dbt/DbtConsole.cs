using System.Globalization;

namespace AirbyteOps.StandIns.Dbt;

/// <summary>dbt 0.18's console shapes: "HH:mm:ss | " prefixes and dotted status lines padded to the printer width.</summary>
public static class DbtConsole
{
    public static void Line(string text = "") =>
        Console.WriteLine($"{DateTime.Now.ToString("HH:mm:ss", CultureInfo.InvariantCulture)} | {text}");

    public static void Status(int index, int total, string message, string status, int width)
    {
        var prefix = $"{index} of {total} {message}";
        Line($"{prefix.PadRight(width, '.')} [{status}]");
    }

    public static string Seconds(TimeSpan elapsed) => elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + "s";
}
