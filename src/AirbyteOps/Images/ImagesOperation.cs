using System.Diagnostics;
using AirbyteOps.Docker;

namespace AirbyteOps.Images;

/// <summary>
/// Makes the images a target needs present. Local images (the default) are built here from their recipes: what is
/// current is reused, what is missing or stale is built, bases first. Official images are used as they are and
/// pulled only when missing, because the user asked for registry images.
/// </summary>
public sealed class ImagesOperation(DockerEngine engine)
{
    public async Task RunAsync(ImagesOptions options, Action<string> log, CancellationToken ct = default)
    {
        if (options.Source == ImageSource.Official)
        {
            foreach (var image in options.Images) await RequireOfficialAsync(image, log, ct).ConfigureAwait(false);
            return;
        }
        var context = new ImageBuildContext(engine, options.RepositoryRoot, options.ScratchDirectory, options.DebianMirror ?? DetectDebianMirror());
        var recipes = options.Images.SelectMany(ImageCatalog.Closure).Distinct().ToList();
        var cache = FingerprintCache.Load(Path.Combine(options.ScratchDirectory, "fingerprints.json"));
        var reused = new List<string>();
        foreach (var recipe in Order(recipes))
        {
            // The cheap key first (sizes and times of the sources, base image ids); the sources are hashed only when it changed.
            var key = await recipe.FingerprintAsync(context with { StatOnly = true }, ct).ConfigureAwait(false);
            var fingerprint = cache.Get(recipe.Tag, key);
            if (fingerprint is null)
            {
                fingerprint = await recipe.FingerprintAsync(context, ct).ConfigureAwait(false);
                cache.Set(recipe.Tag, key, fingerprint);
            }
            var existing = await engine.Images.FindAsync(recipe.Tag, ct).ConfigureAwait(false);
            if (existing?.Config?.Labels is { } labels && labels.TryGetValue(Labels.Recipe, out var current) && current == fingerprint)
            {
                reused.Add(recipe.Tag);
                continue;
            }
            log(existing is null ? $"{recipe.Tag}: not present, building ({recipe.Describe})." : $"{recipe.Tag}: recipe changed, rebuilding ({recipe.Describe}).");
            var clock = Stopwatch.StartNew();
            await recipe.BuildAsync(context, fingerprint, log, ct).ConfigureAwait(false);
            log($"{recipe.Tag}: built in {clock.Elapsed.TotalSeconds:0.0} s.");
        }
        cache.Save();
        // The no-op path stays quiet: one line for every image found current, not one per recipe.
        if (reused.Count > 0)
            log($"Images up to date (built from the same recipes, reused): {string.Join(", ", reused)}.");
    }

    private async Task RequireOfficialAsync(string image, Action<string> log, CancellationToken ct)
    {
        if (await engine.Images.FindAsync(image, ct).ConfigureAwait(false) is not null) return;
        log($"Pulling {image} (--images official) ...");
        await engine.Images.PullAsync(image, ct).ConfigureAwait(false);
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
