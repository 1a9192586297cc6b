using YamlDotNet.RepresentationModel;

namespace AirbyteOps.StandIns.Dbt;

/// <summary>dbt_project.yml: the project's name, profile, where models live, where compiled SQL goes, model configs, quoting.</summary>
public sealed class DbtProject
{
    private DbtProject(string directory, string path, YamlMappingNode root)
    {
        Directory = directory;
        FilePath = path;
        Root = root;
        Name = root.Scalar("name") ?? throw new ProjectException($"Runtime Error\n  dbt_project.yml at {path} has no 'name'.");
        Profile = root.Scalar("profile") ?? throw new ProjectException($"Runtime Error\n  dbt_project.yml at {path} has no 'profile'.");
        // dbt 0.18 says source-paths, dbt 1.x model-paths.
        ModelPaths = root.Get("model-paths") is not null ? root.Strings("model-paths") : root.Strings("source-paths", "models");
        TargetPath = root.Scalar("target-path") ?? "target";
    }

    public string Directory { get; }
    public string FilePath { get; }
    public YamlMappingNode Root { get; }
    public string Name { get; }
    public string Profile { get; }
    public IReadOnlyList<string> ModelPaths { get; }
    public string TargetPath { get; }

    public static DbtProject Load(string directory)
    {
        var path = Path.Combine(directory, "dbt_project.yml");
        if (!File.Exists(path))
            throw new ProjectException($"Runtime Error\n  fatal: Not a dbt project (or any of the parent directories). Missing dbt_project.yml file ({path})");
        return new DbtProject(directory, path, Yaml.LoadMapping(path, "dbt_project.yml"));
    }

    /// <summary>Whether to quote database, schema and identifier (dbt's postgres default: all).</summary>
    public bool Quotes(string part) =>
        Root.Mapping("quoting")?.Scalar(part) is not { } value || !string.Equals(value, "false", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The configs that apply to a model file, from dbt_project.yml's <c>models:</c> tree: project level, then each
    /// folder level down to the file; keys with '+' (dbt 0.17+) or plain config names.
    /// </summary>
    public Dictionary<string, string> ConfigFor(string relativeModelPath)
    {
        var config = new Dictionary<string, string>(StringComparer.Ordinal);
        var node = Root.Mapping("models")?.Mapping(Name);
        var folders = relativeModelPath.Split('/')[..^1];
        var depth = 0;
        while (node is not null)
        {
            foreach (var (key, value) in node.Children)
            {
                if (key is not YamlScalarNode { Value: { } k } || value is not YamlScalarNode { Value: { } v }) continue;
                config[k.TrimStart('+')] = v;
            }
            node = depth < folders.Length ? node.Mapping(folders[depth]) ?? node.Mapping("+" + folders[depth]) : null;
            depth++;
        }
        return config;
    }
}
