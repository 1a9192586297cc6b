using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AirbyteOps.Setups.Schemas;

/// <summary>
/// Airbyte's own JSON schemas of the configuration files (<c>CONFIG_ROOT/config/&lt;TYPE&gt;/&lt;id&gt;.json</c>) of one
/// release, embedded as-is from Airbyte's repository (<c>airbyte-config/models/src/main/resources/types/*.yaml</c>, MIT),
/// evaluated with JsonSchema.Net the way the real server validates each file when it reads it. Releases held: 0.7.1,
/// 0.12.0, 0.20.0 and 0.27.3; a deployment's version takes the nearest one at or below it.
/// </summary>
public sealed class AirbyteConfigSchemas
{
    private const string ResourcePrefix = "ConfigTypes/";
    private static readonly ConcurrentDictionary<string, AirbyteConfigSchemas> Loaded = new(StringComparer.Ordinal);

    /// <summary>Config folder (the real ConfigSchema enum's names) → schema file, where a release has that file.</summary>
    private static readonly IReadOnlyDictionary<string, string> FileByType = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["STANDARD_WORKSPACE"] = "StandardWorkspace.yaml",
        ["STANDARD_SOURCE_DEFINITION"] = "StandardSourceDefinition.yaml",
        ["STANDARD_DESTINATION_DEFINITION"] = "StandardDestinationDefinition.yaml",
        ["SOURCE_CONNECTION"] = "SourceConnection.yaml",
        ["DESTINATION_CONNECTION"] = "DestinationConnection.yaml",
        ["STANDARD_SYNC"] = "StandardSync.yaml",
        ["STANDARD_SYNC_SCHEDULE"] = "StandardSyncSchedule.yaml",
        ["STANDARD_SYNC_OPERATION"] = "StandardSyncOperation.yaml",
    };

    private readonly Dictionary<string, JsonSchema> _byFile = new(StringComparer.Ordinal);

    private AirbyteConfigSchemas(string release, IReadOnlyDictionary<string, string> files)
    {
        Release = release;
        var documents = files.ToDictionary(f => f.Key, f => YamlToJson(f.Value)!.AsObject(), StringComparer.Ordinal);
        // Some real files share one $id (copied between files upstream), so each gets its own, by file name in one folder:
        // a relative $ref ("SyncMode.yaml") names the file, as it did where Airbyte generated code from them.
        var baseUri = new Uri($"https://airbyteops.invalid/config-types/{release}/");
        foreach (var (file, document) in documents) document["$id"] = new Uri(baseUri, file).AbsoluteUri;
        var options = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
        JsonSchema Build(string file)
        {
            if (_byFile.TryGetValue(file, out var built)) return built;
            // JsonSchema.Net resolves references while building: build what this file refers to first.
            foreach (var reference in References(documents[file]))
            {
                var dependency = Path.GetFileName(new Uri(new Uri(baseUri, file), reference).AbsolutePath);
                if (documents.ContainsKey(dependency) && dependency != file) Build(dependency);
            }
            return _byFile[file] = JsonSchema.FromText(documents[file].ToJsonString(), options);
        }
        foreach (var file in documents.Keys.Order(StringComparer.Ordinal)) Build(file);
        Types = FileByType.Where(t => _byFile.ContainsKey(t.Value)).Select(t => t.Key).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The release these schemas are from, e.g. "v0.7.1-alpha".</summary>
    public string Release { get; }

    /// <summary>The config folders this release reads (STANDARD_SYNC, ...).</summary>
    public IReadOnlySet<string> Types { get; }

    /// <summary>The releases held, oldest first.</summary>
    public static IReadOnlyList<string> Releases { get; } = typeof(AirbyteConfigSchemas).Assembly.GetManifestResourceNames()
        .Select(n => n.Replace('\\', '/'))
        .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal))
        .Select(n => n[ResourcePrefix.Length..].Split('/')[0])
        .Distinct(StringComparer.Ordinal)
        .OrderBy(r => Parse(r))
        .ToList();

    /// <summary>
    /// The schemas for a deployment running <paramref name="airbyteVersion"/>: the newest release held at or below it;
    /// null when the version is unknown or older than every release held.
    /// </summary>
    public static AirbyteConfigSchemas? For(string? airbyteVersion)
    {
        if (Parse(airbyteVersion) is not { } version) return null;
        var release = Releases.LastOrDefault(r => Parse(r) <= version);
        return release is null ? null : Loaded.GetOrAdd(release, Load);
    }

    /// <summary>"0.7.1-alpha" / "v0.27.3-alpha" → 0.7.1; null when it does not start with major.minor.</summary>
    public static System.Version? Parse(string? airbyteVersion)
    {
        if (string.IsNullOrWhiteSpace(airbyteVersion)) return null;
        var numbers = airbyteVersion.Trim().TrimStart('v', 'V').Split('-', '+')[0].Split('.');
        var parsed = new List<int>();
        foreach (var number in numbers.Take(3))
        {
            if (!int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) break;
            parsed.Add(n);
        }
        return parsed.Count < 2 ? null : new System.Version(parsed[0], parsed[1], parsed.Count > 2 ? parsed[2] : 0);
    }

    /// <summary>The first problem of <paramref name="instance"/> as a file of <paramref name="type"/>, or null when it is valid (or the type is not read by this release).</summary>
    public string? FirstProblem(string type, JsonElement instance)
    {
        if (!FileByType.TryGetValue(type, out var file) || !_byFile.TryGetValue(file, out var schema)) return null;
        var results = schema.Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        if (results.IsValid) return null;
        var first = (results.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .Select(d => (Location: d.InstanceLocation.ToString(), Error: d.Errors!.First().Value))
            .OrderByDescending(d => d.Location.Length) // the deepest says most (a nested field rather than "the object is invalid")
            .FirstOrDefault();
        var where = first.Location is { Length: > 0 } location ? $" at '{location}'" : "";
        return $"{Path.GetFileNameWithoutExtension(file)} schema{where}: {first.Error ?? "invalid"}";
    }

    private static AirbyteConfigSchemas Load(string release)
    {
        var assembly = typeof(AirbyteConfigSchemas).Assembly;
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            var normalized = name.Replace('\\', '/');
            if (!normalized.StartsWith($"{ResourcePrefix}{release}/", StringComparison.Ordinal)) continue;
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            files[normalized.Split('/')[^1]] = reader.ReadToEnd();
        }
        return new AirbyteConfigSchemas(release, files);
    }

    private static IEnumerable<string> References(JsonNode node) => node switch
    {
        JsonObject o => o.SelectMany(p => p.Key == "$ref" && p.Value is JsonValue v ? [v.GetValue<string>()] : p.Value is null ? [] : References(p.Value)),
        JsonArray a => a.SelectMany(i => i is null ? [] : References(i)),
        _ => [],
    };

    /// <summary>YAML (as the schema files are written) → JSON: plain scalars that read as booleans, numbers or null become those.</summary>
    private static JsonNode? YamlToJson(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return Convert(stream.Documents[0].RootNode);

        static JsonNode? Convert(YamlNode node) => node switch
        {
            YamlMappingNode map => new JsonObject(map.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, Convert(c.Value)))),
            YamlSequenceNode seq => new JsonArray(seq.Children.Select(Convert).ToArray()),
            YamlScalarNode { Style: ScalarStyle.Plain } s => Plain(s.Value ?? ""),
            YamlScalarNode s => JsonValue.Create(s.Value ?? ""),
            _ => throw new InvalidDataException($"Unsupported YAML node {node.NodeType}"),
        };

        static JsonNode? Plain(string value) => value switch
        {
            "true" => JsonValue.Create(true),
            "false" => JsonValue.Create(false),
            "null" or "~" or "" => null,
            _ when long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) => JsonValue.Create(l),
            _ when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => JsonValue.Create(d),
            _ => JsonValue.Create(value),
        };
    }
}
