using System.Text.Json;
using System.Text.Json.Nodes;
using AirbyteOps.IO;

namespace AirbyteOps.Build.Parameters;

/// <summary>
/// .nuke/build.schema.json, generated from <see cref="BuildParameters"/> as NUKE generates it from its build class,
/// so editors complete and check .nuke/parameters.json. Secrets have no default in it: they come from the environment.
/// </summary>
public static class BuildSchema
{
    public static string Generate()
    {
        var properties = new JsonObject { ["$schema"] = new JsonObject { ["type"] = "string" } };
        foreach (var p in ParameterDescriptor.All)
        {
            var schema = new JsonObject { ["description"] = p.Description };
            if (p.IsList) schema["type"] = "string";
            else if (p.ValueType == typeof(bool)) schema["type"] = "boolean";
            else if (p.ValueType == typeof(int) || p.ValueType == typeof(long)) schema["type"] = "integer";
            else schema["type"] = "string";
            if (p.ValueType.IsEnum) schema["enum"] = new JsonArray(p.EnumWords.Select(w => (JsonNode)JsonValue.Create(w)!).ToArray());
            if (p.ValueType == typeof(Uri)) schema["format"] = "uri";
            if (p.Range is { } range)
            {
                schema["minimum"] = System.Convert.ToInt64(range.Minimum, System.Globalization.CultureInfo.InvariantCulture);
                if (range.Maximum is not int.MaxValue) schema["maximum"] = System.Convert.ToInt64(range.Maximum, System.Globalization.CultureInfo.InvariantCulture);
            }
            if (p.Secret) schema["description"] = p.Description + $" (a secret: set {p.EnvironmentVariable}, never this file)";
            else if (p.DefaultText.Length > 0)
                schema["default"] = schema["type"]!.GetValue<string>() switch
                {
                    "boolean" => JsonValue.Create(p.DefaultText == "true"),
                    "integer" => JsonValue.Create(long.Parse(p.DefaultText, System.Globalization.CultureInfo.InvariantCulture)),
                    _ => JsonValue.Create(p.DefaultText),
                };
            properties[p.Name] = schema;
        }
        var root = new JsonObject
        {
            ["$schema"] = "http://json-schema.org/draft-07/schema#",
            ["title"] = "AirbyteOps build parameters (.nuke/parameters.json)",
            ["description"] = "Generated from src/AirbyteOps.Build/Parameters/BuildParameters.cs by every build run; do not edit by hand.",
            ["type"] = "object",
            ["properties"] = properties,
            ["additionalProperties"] = false,
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
    }

    /// <summary>
    /// Writes the schema when it differs from the file's content; returns true when it wrote. With <paramref name="stamp"/>
    /// (a file under .build/), a check that found the file current records this assembly's version id and the file's size
    /// and modification time there; while all three are unchanged the next run skips generating and comparing (neither
    /// the parameters nor the file can differ from what was checked), so the start-up does not pay for it on every call.
    /// </summary>
    public static bool WriteIfStale(string path, string? stamp = null)
    {
        var state = stamp is null ? null : State(path);
        if (state is not null && File.Exists(stamp) && File.ReadAllText(stamp!) == state) return false;
        var text = Generate();
        var wrote = false;
        if (!File.Exists(path) || File.ReadAllText(path) != text)
        {
            AtomicFile.WriteAllText(path, text);
            wrote = true;
        }
        if (stamp is not null)
        {
            try { AtomicFile.WriteAllText(stamp, State(path)!); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { } // the check simply runs again next time
        }
        return wrote;
    }

    private static string? State(string path)
    {
        var file = new FileInfo(path);
        return file.Exists ? $"{typeof(BuildSchema).Assembly.ManifestModule.ModuleVersionId} {file.Length} {file.LastWriteTimeUtc.Ticks}" : null;
    }
}
