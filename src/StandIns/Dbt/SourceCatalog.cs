using YamlDotNet.RepresentationModel;

namespace AirbyteOps.StandIns.Dbt;

/// <summary>The sources declared in the model paths' .yml files (<c>sources: - name: s  tables: - name: t</c>).</summary>
public sealed class SourceCatalog
{
    private readonly Dictionary<(string Source, string Table), (string? Database, string Schema, string Identifier)> _tables = new();

    public int Count => _tables.Count;

    public bool TryGet(string source, string table, out (string? Database, string Schema, string Identifier) relation) =>
        _tables.TryGetValue((source, table), out relation);

    public static SourceCatalog Load(DbtProject project)
    {
        var catalog = new SourceCatalog();
        foreach (var modelPath in project.ModelPaths)
        {
            var root = Path.Combine(project.Directory, modelPath);
            if (!Directory.Exists(root)) continue;
            var files = Directory.EnumerateFiles(root, "*.yml", SearchOption.AllDirectories)
                .Concat(Directory.EnumerateFiles(root, "*.yaml", SearchOption.AllDirectories));
            foreach (var file in files.Order(StringComparer.Ordinal))
            {
                var doc = Yaml.LoadMapping(file, Path.GetFileName(file));
                foreach (var source in doc.Sequence("sources").OfType<YamlMappingNode>())
                {
                    var name = source.Scalar("name");
                    if (name is null) continue;
                    foreach (var table in source.Sequence("tables").OfType<YamlMappingNode>())
                    {
                        if (table.Scalar("name") is not { } tableName) continue;
                        catalog._tables[(name, tableName)] = (source.Scalar("database"), source.Scalar("schema") ?? name, table.Scalar("identifier") ?? tableName);
                    }
                }
            }
        }
        return catalog;
    }
}
