using YamlDotNet.RepresentationModel;

namespace AirbyteOps.StandIns.Dbt;

/// <summary>Small accessors over YamlDotNet's node model: dbt's YAML files are loose maps, not fixed schemas.</summary>
public static class Yaml
{
    public static YamlMappingNode LoadMapping(string path, string what)
    {
        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(path);
            stream.Load(reader);
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            throw new ProjectException($"Runtime Error\n  {what} at {path} is not valid YAML: {ex.Message}");
        }
        return stream.Documents.Count > 0 && stream.Documents[0].RootNode is YamlMappingNode map
            ? map
            : throw new ProjectException($"Runtime Error\n  {what} at {path} is empty or not a mapping.");
    }

    public static YamlNode? Get(this YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    public static string? Scalar(this YamlMappingNode map, string key) => (map.Get(key) as YamlScalarNode)?.Value;

    public static YamlMappingNode? Mapping(this YamlMappingNode map, string key) => map.Get(key) as YamlMappingNode;

    public static IEnumerable<YamlNode> Sequence(this YamlMappingNode map, string key) =>
        map.Get(key) is YamlSequenceNode seq ? seq.Children : [];

    public static IReadOnlyList<string> Strings(this YamlMappingNode map, string key, params string[] fallback) =>
        map.Get(key) switch
        {
            YamlSequenceNode seq => seq.Children.OfType<YamlScalarNode>().Select(s => s.Value ?? "").ToList(),
            YamlScalarNode { Value: { } v } => [v],
            _ => fallback,
        };
}
