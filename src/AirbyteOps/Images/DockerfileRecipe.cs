using AirbyteOps.IO;
using System.Formats.Tar;
using AirbyteOps.Docker;
using AirbyteOps.Processes;
using AirbyteOps.Progress;

namespace AirbyteOps.Images;

/// <summary>
/// An image built from a Dockerfile folder in the repository, FROM local images only. .NET apps it carries
/// are published self-contained into a temporary copy of the context first (no SDK image is needed).
/// </summary>
public sealed class DockerfileRecipe : ImageRecipe
{
    public DockerfileRecipe(string tag, string contextFolder, IReadOnlyList<string> baseImages, IReadOnlyList<AppPublish>? publish = null)
        : base(tag, baseImages)
    {
        ContextFolder = contextFolder;
        Publish = publish ?? [];
    }

    /// <summary>Folder holding the Dockerfile, relative to the repository root.</summary>
    public string ContextFolder { get; }
    public IReadOnlyList<AppPublish> Publish { get; }

    public override string Describe => Publish.Count == 0
        ? $"{ContextFolder}/Dockerfile"
        : $"{ContextFolder}/Dockerfile with {string.Join(", ", Publish.Select(p => Path.GetFileNameWithoutExtension(p.Project)))}";

    public override async Task<string> FingerprintAsync(ImageBuildContext context, CancellationToken ct)
    {
        var fingerprint = context.NewFingerprint().Add("dockerfile").Add("v1").AddFolder(Path.Combine(context.RepositoryRoot, ContextFolder));
        foreach (var app in Publish)
        {
            fingerprint.Add(app.Subfolder).AddFolder(Path.GetDirectoryName(Path.Combine(context.RepositoryRoot, app.Project))!);
            foreach (var shared in new[] { "Directory.Build.props", "Directory.Packages.props" })
                if (File.Exists(Path.Combine(context.RepositoryRoot, shared))) fingerprint.AddFile(Path.Combine(context.RepositoryRoot, shared), shared);
            // Project references travel with the app: hash their folders too.
            foreach (var reference in ProjectReferences(Path.Combine(context.RepositoryRoot, app.Project)))
                fingerprint.AddFolder(Path.GetDirectoryName(reference)!);
        }
        foreach (var baseImage in BaseImages)
        {
            var image = await context.Engine.Images.FindAsync(baseImage, ct).ConfigureAwait(false);
            fingerprint.Add(image?.ID ?? "missing:" + baseImage);
        }
        return fingerprint.Value;
    }

    public override async Task BuildAsync(ImageBuildContext context, string fingerprint, Action<string> log, CancellationToken ct)
    {
        foreach (var baseImage in BaseImages)
            if (await context.Engine.Images.FindAsync(baseImage, ct).ConfigureAwait(false) is null)
                throw new DockerOpsException($"Image '{Tag}' is built FROM '{baseImage}', which is not present; build it first (./build.sh Images).");

        var scratch = Path.Combine(context.ScratchDirectory, "context-" + Tag.Replace('/', '-').Replace(':', '-'));
        if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true);
        CopyFolder(Path.Combine(context.RepositoryRoot, ContextFolder), scratch);
        try
        {
            foreach (var app in Publish)
                CopyFolder(await PublishAsync(context, app, log, ct).ConfigureAwait(false), Path.Combine(scratch, app.Subfolder));
            var tarPath = scratch + ".tar";
            await using (var tar = File.Create(tarPath))
                await TarFile.CreateFromDirectoryAsync(scratch, tar, includeBaseDirectory: false, ct).ConfigureAwait(false);
            log($"Building {Tag} from {Describe} ...");
            using (var progress = ProgressReporter.ForConsole($"Sending the build context of {Tag}", null, new FileInfo(tarPath).Length, log))
            await using (var tar = new ProgressStream(File.OpenRead(tarPath), progress))
                await context.Engine.Images.BuildAsync(tar, Tag, new Dictionary<string, string> { [Labels.Recipe] = fingerprint, [Labels.Managed] = "true" },
                    line => { if (line.StartsWith("Step ", StringComparison.Ordinal)) log("  " + line); }, ct).ConfigureAwait(false);
            File.Delete(tarPath);
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary>
    /// Publishes the app once per content: the output folder is named after a hash of the app's sources,
    /// so the images that carry the same app (the demo stack's server, scheduler, webapp) share one publish.
    /// </summary>
    private static async Task<string> PublishAsync(ImageBuildContext context, AppPublish app, Action<string> log, CancellationToken ct)
    {
        var project = Path.Combine(context.RepositoryRoot, app.Project);
        var key = new Fingerprint().Add(app.Project).AddFolder(Path.GetDirectoryName(project)!);
        foreach (var reference in ProjectReferences(project)) key.AddFolder(Path.GetDirectoryName(reference)!);
        foreach (var shared in new[] { "Directory.Build.props", "Directory.Packages.props" })
            if (File.Exists(Path.Combine(context.RepositoryRoot, shared))) key.AddFile(Path.Combine(context.RepositoryRoot, shared), shared);
        var output = Path.Combine(context.ScratchDirectory, "publish", key.Value[..16]);
        if (Directory.Exists(output)) return output;

        log($"Publishing {app.Project} (self-contained linux-x64) ...");
        var lines = new List<string>();
        await AtomicDirectory.WriteAsync(output, async partial =>
        {
            var exit = await ProcessRunner.RunAsync("dotnet",
                ["publish", project, "-c", "Release", "-r", "linux-x64", "--self-contained", "-p:InvariantGlobalization=true", "-nologo", "-v:q", "-o", partial],
                lines.Add, ct: ct).ConfigureAwait(false);
            if (exit != 0)
                throw new ProcessException($"dotnet publish {app.Project} failed (exit {exit}): {lines.LastOrDefault(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)) ?? lines.LastOrDefault()}");
            return exit;
        }).ConfigureAwait(false);
        return output;
    }

    private static IEnumerable<string> ProjectReferences(string project)
    {
        if (!File.Exists(project)) yield break;
        var doc = System.Xml.Linq.XDocument.Load(project);
        foreach (var reference in doc.Descendants("ProjectReference"))
            if (reference.Attribute("Include")?.Value is { } include)
                yield return Path.GetFullPath(Path.Combine(Path.GetDirectoryName(project)!, include.Replace('\\', '/')));
    }

    private static void CopyFolder(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var dir in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(target, Path.GetRelativePath(source, dir)));
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(target, Path.GetRelativePath(source, file)), overwrite: true);
    }
}
