using YamlDotNet.RepresentationModel;

namespace AirbyteOps.StandIns.Dbt;

/// <summary>
/// <c>dbt deps</c>, offline: the stand-in has dbt-utils' macros built in, so it only reports the packages of
/// packages.yml as installed. The real dbt downloads them (git or hub) into the modules path.
/// </summary>
public static class DepsCommand
{
    public static int Run(CommandLine line)
    {
        var project = DbtProject.Load(line.ProjectDirectory);
        var path = Path.Combine(project.Directory, "packages.yml");
        if (!File.Exists(path))
        {
            Console.WriteLine("Warning: No packages were found in packages.yml");
            return 0;
        }
        var packages = Yaml.LoadMapping(path, "packages.yml").Sequence("packages").OfType<YamlMappingNode>().ToList();
        if (packages.Count == 0) Console.WriteLine("Warning: No packages were found in packages.yml");
        foreach (var package in packages)
        {
            if (package.Scalar("git") is { } git)
            {
                var revision = package.Scalar("revision") ?? "master";
                Console.WriteLine($"Installing {git}@{revision}");
                Console.WriteLine($"  Installed from revision {revision}");
            }
            else if (package.Scalar("package") is { } name)
            {
                Console.WriteLine($"Installing {name}@{package.Scalar("version") ?? "latest"}");
                Console.WriteLine($"  Installed from version {package.Scalar("version") ?? "latest"}");
            }
            else if (package.Scalar("local") is { } local)
            {
                Console.WriteLine($"Installing {local}");
                Console.WriteLine("  Installed from <local>");
            }
        }
        Console.WriteLine();
        return 0;
    }
}
