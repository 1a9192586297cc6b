namespace AirbyteOps.StandIns.Dbt;

/// <summary>One model: a .sql file under a model path. Its name is the file name, as in dbt.</summary>
public sealed record ModelFile(string Name, string ProjectRelativePath, string ModelPathRelative, string Template)
{
    public static IReadOnlyList<ModelFile> Discover(DbtProject project)
    {
        var models = new List<ModelFile>();
        foreach (var modelPath in project.ModelPaths)
        {
            var root = Path.Combine(project.Directory, modelPath);
            if (!System.IO.Directory.Exists(root)) continue;
            foreach (var file in System.IO.Directory.EnumerateFiles(root, "*.sql", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var inModels = Path.GetRelativePath(root, file).Replace('\\', '/');
                models.Add(new ModelFile(Path.GetFileNameWithoutExtension(file), Path.GetRelativePath(project.Directory, file).Replace('\\', '/'), inModels, File.ReadAllText(file)));
            }
        }
        var duplicate = models.GroupBy(m => m.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ProjectException($"Compilation Error\n  dbt found two resources with the name \"{duplicate.Key}\": {string.Join(", ", duplicate.Select(m => m.ProjectRelativePath))}");
        return models;
    }
}
