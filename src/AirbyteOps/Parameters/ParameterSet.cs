using System.Globalization;
using System.Text.Json;

namespace AirbyteOps.Parameters;

/// <summary>
/// Resolves parameter values: the command line first, then the environment variable, then the checked-in
/// defaults file. Secrets are shown as [REDACTED] wherever values are described.
/// </summary>
public sealed class ParameterSet
{
    private readonly Func<string, string?> _commandLine;
    private readonly Func<string, string?> _environment;
    private readonly IReadOnlyDictionary<string, string> _defaults;

    public ParameterSet(Func<string, string?> commandLine, Func<string, string?> environment, IReadOnlyDictionary<string, string> defaults)
    {
        _commandLine = commandLine;
        _environment = environment;
        _defaults = defaults;
    }

    public static IReadOnlyDictionary<string, string> LoadDefaults(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"The defaults file '{path}' is missing; restore it from git.", path);
        using var stream = File.OpenRead(path);
        var values = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(stream) ?? [];
        return values.Where(kv => !kv.Key.StartsWith('_'))
            .ToDictionary(kv => kv.Key, kv => kv.Value.ValueKind == JsonValueKind.String ? kv.Value.GetString() ?? "" : kv.Value.GetRawText());
    }

    /// <summary>The value and where it came from.</summary>
    public (string Value, string Source) Resolve(string name)
    {
        var parameter = ParameterCatalog.Find(name);
        if (_commandLine(name) is { } fromCommandLine) return (fromCommandLine, "command line");
        if (_environment(parameter.EnvironmentVariable) is { Length: > 0 } fromEnvironment) return (fromEnvironment, parameter.EnvironmentVariable);
        if (_defaults.TryGetValue(name, out var fromDefaults)) return (fromDefaults, "defaults file");
        return ("", "unset");
    }

    public string Get(string name) => Resolve(name).Value;

    public string? GetOrNull(string name) => Get(name) is { Length: > 0 } v ? v : null;

    public int GetInt(string name)
    {
        var value = Get(name);
        return int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new ArgumentException($"Parameter --{name} must be a whole number, not '{Describe(name)}'.");
    }

    public int? GetIntOrNull(string name) => GetOrNull(name) is null ? null : GetInt(name);

    public bool GetBool(string name) => Get(name).Trim().ToLowerInvariant() switch
    {
        "" or "false" or "0" or "no" => false,
        "true" or "1" or "yes" => true,
        var other => throw new ArgumentException($"Parameter --{name} must be true or false, not '{other}'."),
    };

    public TimeSpan GetSeconds(string name) => TimeSpan.FromSeconds(GetInt(name));

    /// <summary>The value as it may be printed.</summary>
    public string Describe(string name) => ParameterCatalog.Find(name).Secret ? "[REDACTED]" : Get(name);

    /// <summary>The help text: each parameter with its default (secrets redacted) and environment variable.</summary>
    public string Help()
    {
        var lines = new List<string>();
        foreach (var p in ParameterCatalog.Everything)
        {
            var def = _defaults.TryGetValue(p.Name, out var d) ? (p.Secret ? "[REDACTED]" : d.Length == 0 ? "(empty)" : d) : "(none)";
            lines.Add($"  --{p.Name,-24} {p.Description}");
            lines.Add($"  {"",-26} default: {def}; environment: {p.EnvironmentVariable}");
        }
        return string.Join(Environment.NewLine, lines);
    }
}
