using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AirbyteOps.TestSupport;

/// <summary>
/// The JSON schemas of one Airbyte version's config files (<c>airbyte-reference/config-types/&lt;version&gt;/*.yaml</c>),
/// read as data and evaluated with JsonSchema.Net, the way the real server validates each
/// <c>CONFIG_ROOT/config/&lt;TYPE&gt;/&lt;id&gt;.json</c> when it reads it. Relative <c>$ref</c>s ("SyncMode.yaml") resolve
/// against the schema file's name in its folder. Formats (uuid, email) are asserted.
/// Kept apart from the product's AirbyteOps.Setups.Schemas.AirbyteConfigSchemas (which RestoreSetup and the demo stack use)
/// on purpose, though its loading code is alike: the tests' oracle reads the reference files itself and shares no code
/// with what it judges.
/// </summary>
public sealed class ConfigTypeSchemas
{
    private static readonly ConcurrentDictionary<string, ConfigTypeSchemas> Loaded = new();

    /// <summary>Config folder (the real ConfigSchema enum's names) → schema file.</summary>
    public static readonly IReadOnlyDictionary<string, string> FileByType = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["STANDARD_WORKSPACE"] = "StandardWorkspace.yaml",
        ["STANDARD_SOURCE_DEFINITION"] = "StandardSourceDefinition.yaml",
        ["STANDARD_DESTINATION_DEFINITION"] = "StandardDestinationDefinition.yaml",
        ["SOURCE_CONNECTION"] = "SourceConnection.yaml",
        ["DESTINATION_CONNECTION"] = "DestinationConnection.yaml",
        ["STANDARD_SYNC"] = "StandardSync.yaml",
        ["STANDARD_SYNC_SCHEDULE"] = "StandardSyncSchedule.yaml",
    };

    private readonly Dictionary<string, JsonSchema> _byFile = new(StringComparer.Ordinal);

    private ConfigTypeSchemas(string version)
    {
        Version = version;
        var folder = AirbyteReference.ConfigTypes(version);
        var documents = Directory.GetFiles(folder, "*.yaml").ToDictionary(f => Path.GetFileName(f)!, f => YamlToJson(File.ReadAllText(f)), StringComparer.Ordinal);
        // Some real files share one $id (copied between files upstream), so each is given its own, by file name in one
        // folder: a relative $ref ("SyncMode.yaml") names the file, as it did where Airbyte generated code from them.
        var baseUri = new Uri($"https://airbyte-reference.test/config-types/{version}/");
        foreach (var (file, document) in documents) document!["$id"] = new Uri(baseUri, file).AbsoluteUri;
        var registry = new SchemaRegistry();
        var options = new BuildOptions { SchemaRegistry = registry };
        JsonSchema Build(string file)
        {
            if (_byFile.TryGetValue(file, out var built)) return built;
            // Build what this file refers to first: JsonSchema.Net resolves references while building.
            foreach (var reference in References(documents[file]!))
            {
                var target = new Uri(new Uri(baseUri, file), reference).GetLeftPart(UriPartial.Query);
                var dependency = Path.GetFileName(new Uri(target).AbsolutePath);
                if (documents.ContainsKey(dependency) && dependency != file) Build(dependency);
            }
            return _byFile[file] = JsonSchema.FromText(documents[file]!.ToJsonString(), options);
        }
        foreach (var file in documents.Keys.Order(StringComparer.Ordinal)) Build(file);
    }

    public string Version { get; }

    public static ConfigTypeSchemas For(string version) => Loaded.GetOrAdd(version, v => new ConfigTypeSchemas(v));

    /// <summary>The problems of every file under <paramref name="configFolder"/> (a CONFIG_ROOT/config); empty when all are valid.</summary>
    public IReadOnlyList<string> CheckTree(string configFolder)
    {
        var problems = new List<string>();
        foreach (var typeFolder in Directory.GetDirectories(configFolder).Order(StringComparer.Ordinal))
        {
            var type = Path.GetFileName(typeFolder);
            foreach (var file in Directory.GetFiles(typeFolder).Order(StringComparer.Ordinal))
                problems.AddRange(CheckFile(type, file));
        }
        return problems;
    }

    /// <summary>The problems of one config file of <paramref name="type"/> (STANDARD_SYNC, ...); empty when valid.</summary>
    public IReadOnlyList<string> CheckFile(string type, string path)
    {
        var name = $"{type}/{Path.GetFileName(path)}";
        if (!FileByType.TryGetValue(type, out var schemaFile)) return [$"{name}: {type} is not a config type of {Version}"];
        if (!Path.GetFileName(path).EndsWith(".json", StringComparison.Ordinal) || !Guid.TryParse(Path.GetFileNameWithoutExtension(path), out _))
            return [$"{name}: not an <id>.json file"];
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllText(path));
        }
        catch (JsonException ex)
        {
            return [$"{name}: not JSON ({ex.Message})"];
        }
        using (document) return Check(name, schemaFile, document.RootElement);
    }

    /// <summary>The problems of <paramref name="instance"/> under <paramref name="schemaFile"/> (StandardSync.yaml, ...).</summary>
    public IReadOnlyList<string> Check(string what, string schemaFile, JsonElement instance)
    {
        var results = _byFile[schemaFile].Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        if (results.IsValid) return [];
        var problems = (results.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{what} ({Version} {schemaFile}) at '{d.InstanceLocation}': {e.Value}"))
            .ToList();
        return problems.Count > 0 ? problems : [$"{what} ({Version} {schemaFile}) is invalid"];
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
