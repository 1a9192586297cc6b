using System.ComponentModel.DataAnnotations;
using System.ComponentModel;
using System.Globalization;
using System.Text.Json;

namespace AirbyteOps.Build.Parameters;

/// <summary>
/// Reads <see cref="BuildParameters"/> from three layers: the command line first, then the environment (each
/// parameter's variable), then the parameters file (.nuke/parameters.json). The layering is three dictionaries and the
/// file one System.Text.Json read (Microsoft.Extensions.Configuration did this before: five assemblies loaded on every
/// call, 50–230 ms of the start-up on this machine, for a merge of flat keys).
/// Every value is converted and checked at start: a bad one is refused with a one-line error that names the
/// parameter, where the value came from, and what it takes; an unknown parameter is refused with the nearest name.
/// </summary>
public static class ParameterReader
{
    /// <summary>Cake's own options, which share the command line with the parameters.</summary>
    private static readonly HashSet<string> CakeOptions = new(StringComparer.OrdinalIgnoreCase)
    {
        "target", "verbosity", "v", "tree", "dryrun", "noop", "whatif", "exclusive", "e", "description", "showdescription",
        "showtree", "help", "h", "version", "info", "debug", "d", "bootstrap", "skip-bootstrap", "skipbootstrap", "showprocesscommandline",
    };

    /// <param name="commandLine">The command line's options (name without dashes, value), as Cake parsed them.</param>
    /// <param name="environment">Looks up an environment variable.</param>
    /// <param name="parametersFile">The parameters file; a missing file is an empty layer.</param>
    private const string FromCommandLine = "from the command line";

    public static BuildParameters Read(IEnumerable<KeyValuePair<string, string>> commandLine, Func<string, string?> environment, string parametersFile)
    {
        var fromCommandLine = commandLine.Where(kv => !CakeOptions.Contains(kv.Key) && !kv.Key.Contains('_', StringComparison.Ordinal)).ToList();
        foreach (var (key, _) in fromCommandLine) RequireKnown(key, "on the command line");

        // Later layers win: file, then environment, then command line. Keys are the parameters' canonical names.
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (File.Exists(parametersFile))
            foreach (var (key, value) in ReadFile(parametersFile))
            {
                RequireKnown(key, $"in {parametersFile}");
                values[ParameterDescriptor.Find(key)!.Name] = value;
            }
        foreach (var p in ParameterDescriptor.All)
            if (environment(p.EnvironmentVariable) is { Length: > 0 } value) values[p.Name] = value;
        foreach (var (key, value) in fromCommandLine) values[ParameterDescriptor.Find(key)!.Name] = value;

        var parameters = new BuildParameters();
        foreach (var p in ParameterDescriptor.All)
        {
            if (!values.TryGetValue(p.Name, out var text)) continue;
            var where = Source(p, fromCommandLine, environment);
            // A bare switch on the command line (--archive, which Cake reads as an empty value) means on.
            if (p.ValueType == typeof(bool) && text.Length == 0 && where == FromCommandLine) text = "true";
            p.Property.SetValue(parameters, Convert(p, text, where));
        }
        Validate(parameters, fromCommandLine, environment);
        return parameters;
    }

    /// <summary>
    /// The parameters file's top-level keys (but <c>$schema</c>) with their values as text: a string as it is, a number as
    /// written, true/false, null as empty, an array (for list parameters) joined with commas.
    /// </summary>
    private static List<KeyValuePair<string, string>> ReadFile(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { CommentHandling = JsonCommentSkip, AllowTrailingCommas = true });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new ParameterException($"{path} is not a JSON object of parameters ({{ \"postgres-port\": 3001 }}); fix it or restore it from git.");
            var result = new List<KeyValuePair<string, string>>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == "$schema") continue;
                var value = property.Value;
                var text = value.ValueKind switch
                {
                    JsonValueKind.String => value.GetString()!,
                    JsonValueKind.Number => value.GetRawText(),
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    JsonValueKind.Null => "",
                    JsonValueKind.Array when value.EnumerateArray().All(e => e.ValueKind is JsonValueKind.String or JsonValueKind.Number) =>
                        string.Join(",", value.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText())),
                    _ => throw new ParameterException($"'{property.Name}' in {path} must be a string, number, true/false or a list of strings, not {value.ValueKind.ToString().ToLowerInvariant()}; fix it or restore it from git."),
                };
                result.Add(new(property.Name, text));
            }
            return result;
        }
        catch (JsonException ex)
        {
            throw new ParameterException($"{path} is not valid JSON ({ex.Message}); fix it or restore it from git.", ex);
        }
    }

    private const JsonCommentHandling JsonCommentSkip = JsonCommentHandling.Skip;

    private static object? Convert(ParameterDescriptor p, string text, string where)
    {
        var value = text.Trim();
        // Empty means "not given" for optional values and "off" for switches; required text keeps its default.
        if (value.Length == 0)
            return p.ValueType == typeof(bool) ? false : p.IsList ? Array.Empty<string>() : p.Property.GetValue(new BuildParameters()) is { } d && p.Required ? d : null;
        if (p.IsList) return value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (p.ValueType == typeof(bool))
            return value.ToLowerInvariant() switch
            {
                "true" or "yes" or "1" or "on" => true,
                "false" or "no" or "0" or "off" => false,
                _ => throw Bad(p, text, where, "true or false"),
            };
        if (p.ValueType.IsEnum)
        {
            var match = Enum.GetNames(p.ValueType).FirstOrDefault(n => string.Equals(ParameterDescriptor.EnumWord(n), value, StringComparison.OrdinalIgnoreCase) || string.Equals(n, value, StringComparison.OrdinalIgnoreCase));
            return match is null ? throw Bad(p, text, where, string.Join(" or ", p.EnumWords.Select(w => $"'{w}'"))) : Enum.Parse(p.ValueType, match);
        }
        if (p.ValueType == typeof(Uri))
            return Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri : throw Bad(p, text, where, "an http:// or https:// URL");
        if (p.ValueType == typeof(string)) return value;
        try
        {
            // The type's own converter, in the invariant culture (what the configuration binder used).
            return TypeDescriptor.GetConverter(p.ValueType).ConvertFromInvariantString(value);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or NotSupportedException || ex.InnerException is FormatException or OverflowException)
        {
            throw Bad(p, text, where, p.ValueType == typeof(int) || p.ValueType == typeof(long) ? "a whole number" : p.ValueType.Name, ex);
        }
    }

    private static void Validate(BuildParameters parameters, List<KeyValuePair<string, string>> commandLine, Func<string, string?> environment)
    {
        foreach (var p in ParameterDescriptor.All)
        {
            var value = p.Property.GetValue(parameters);
            var context = new ValidationContext(parameters) { MemberName = p.Property.Name };
            var results = new List<ValidationResult>();
            if (Validator.TryValidateProperty(value, context, results)) continue;
            var shown = p.Secret ? "[REDACTED]" : ParameterDescriptor.Format(value);
            var takes = p.Range is { } r ? (r.Maximum is int.MaxValue ? $"a whole number, {r.Minimum} or more" : $"a whole number from {r.Minimum} to {r.Maximum}") : "a value";
            throw new ParameterException($"--{p.Name} must be {takes}, not '{shown}' ({Source(p, commandLine, environment)}).");
        }
    }

    private static string Source(ParameterDescriptor p, List<KeyValuePair<string, string>> commandLine, Func<string, string?> environment) =>
        commandLine.Any(kv => ParameterDescriptor.Find(kv.Key) == p) ? FromCommandLine
        : !string.IsNullOrEmpty(environment(p.EnvironmentVariable)) ? $"from {p.EnvironmentVariable}"
        : "from .nuke/parameters.json";

    private static ParameterException Bad(ParameterDescriptor p, string text, string where, string takes, Exception? inner = null)
    {
        var message = $"--{p.Name} must be {takes}, not '{(p.Secret ? "[REDACTED]" : text)}' ({where}).";
        return inner is null ? new ParameterException(message) : new ParameterException(message, inner);
    }

    private static void RequireKnown(string key, string where)
    {
        if (ParameterDescriptor.Find(key) is not null) return;
        var nearest = ParameterDescriptor.All.MinBy(p => Distance(ParameterDescriptor.Normalize(p.Name), ParameterDescriptor.Normalize(key)))!;
        throw new ParameterException($"Unknown parameter '{key}' {where}; did you mean --{nearest.Name}? ./build.sh --help lists them all.");
    }

    private static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var previous = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var current = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), previous + (a[i - 1] == b[j - 1] ? 0 : 1));
                previous = current;
            }
        }
        return row[b.Length];
    }

    /// <summary>Parses a plain argument list (--name value or --name=value), for callers without Cake.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ParseArguments(IReadOnlyList<string> args)
    {
        var result = new List<KeyValuePair<string, string>>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith('-')) continue;
            var name = arg.TrimStart('-');
            var equals = name.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0) result.Add(new(name[..equals], name[(equals + 1)..]));
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal)) result.Add(new(name, args[++i]));
            else result.Add(new(name, "true"));
        }
        return result;
    }
}
