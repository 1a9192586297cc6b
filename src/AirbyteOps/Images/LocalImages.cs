using System.Diagnostics;
using AirbyteOps.Docker;

namespace AirbyteOps.Images;

/// <summary>Makes sure every local image exists and matches its recipe: reuses what is current, builds what is missing or stale, in dependency order.</summary>
public static class LocalImages
{
    public static async Task EnsureAsync(ImageBuildContext context, IReadOnlyList<ImageRecipe> recipes, Action<string> log, CancellationToken ct = default)
    {
        foreach (var recipe in Order(recipes))
        {
            var fingerprint = await recipe.FingerprintAsync(context, ct).ConfigureAwait(false);
            var existing = await context.Engine.Images.FindAsync(recipe.Tag, ct).ConfigureAwait(false);
            if (existing?.Config?.Labels is { } labels && labels.TryGetValue(Labels.Recipe, out var current) && current == fingerprint)
            {
                log($"{recipe.Tag}: up to date (built from the same recipe, reused).");
                continue;
            }
            log(existing is null ? $"{recipe.Tag}: not present, building ({recipe.Describe})." : $"{recipe.Tag}: recipe changed, rebuilding ({recipe.Describe}).");
            var clock = Stopwatch.StartNew();
            await recipe.BuildAsync(context, fingerprint, log, ct).ConfigureAwait(false);
            log($"{recipe.Tag}: built in {clock.Elapsed.TotalSeconds:0.0} s.");
        }
    }

    /// <summary>Checks that an image is present; in official mode pulls it (the user asked for registry images), in local mode says how to build it.</summary>
    public static async Task RequireAsync(DockerEngine engine, string image, ImageSource source, Action<string> log, CancellationToken ct = default)
    {
        if (await engine.Images.FindAsync(image, ct).ConfigureAwait(false) is not null) return;
        if (source == ImageSource.Local)
            throw new DockerOpsException($"Image '{image}' is not present: build the local images with ./build.sh Images.");
        log($"Pulling {image} (--images official) ...");
        var (repo, tag) = ImageOperations.SplitReference(image);
        await engine.Client.Images.CreateImageAsync(new global::Docker.DotNet.Models.ImagesCreateParameters { FromImage = repo, Tag = tag }, null, new Progress<global::Docker.DotNet.Models.JSONMessage>(), ct).ConfigureAwait(false);
    }

    private static IEnumerable<ImageRecipe> Order(IReadOnlyList<ImageRecipe> recipes)
    {
        var done = new HashSet<string>();
        var pending = recipes.ToList();
        while (pending.Count > 0)
        {
            var ready = pending.FirstOrDefault(r => r.BaseImages.All(b => done.Contains(b) || recipes.All(o => o.Tag != b)))
                ?? throw new InvalidOperationException("Image recipes depend on each other in a cycle.");
            pending.Remove(ready);
            done.Add(ready.Tag);
            yield return ready;
        }
    }

    /// <summary>The Debian mirror from apt's sources (deb822 or one-line), or deb.debian.org.</summary>
    public static string DetectDebianMirror()
    {
        var files = new List<string>();
        if (Directory.Exists("/etc/apt/sources.list.d")) files.AddRange(Directory.GetFiles("/etc/apt/sources.list.d").Order());
        if (File.Exists("/etc/apt/sources.list")) files.Add("/etc/apt/sources.list");
        foreach (var file in files)
        {
            foreach (var raw in File.ReadLines(file))
            {
                var line = raw.Trim();
                if (line.StartsWith('#')) continue;
                var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var url = line.StartsWith("URIs:", StringComparison.Ordinal) ? words.Skip(1).FirstOrDefault()
                    : line.StartsWith("deb ", StringComparison.Ordinal) ? words.Skip(1).FirstOrDefault(w => !w.StartsWith('['))
                    : null;
                if (url is not null && url.StartsWith("http", StringComparison.Ordinal) && url.TrimEnd('/').EndsWith("/debian", StringComparison.Ordinal))
                    return url.TrimEnd('/');
            }
        }
        return "http://deb.debian.org/debian";
    }
}
