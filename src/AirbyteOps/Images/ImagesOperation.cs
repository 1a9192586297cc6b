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
        var (context, recipes, cache, checks) = await CheckAllAsync(options, ct).ConfigureAwait(false);
        var reused = new List<string>();
        if (checks.All(c => c.Current))
        {
            reused.AddRange(recipes.Select(r => r.Tag));
        }
        else
        {
            // Something to build: bases first, each recipe checked again once the ones before it are built.
            foreach (var recipe in Order(recipes))
            {
                var check = await CheckAsync(recipe, context, cache, ct).ConfigureAwait(false);
                if (check.Computed) cache.Set(recipe.Tag, check.Key, check.Fingerprint);
                if (check.Current)
                {
                    reused.Add(recipe.Tag);
                    continue;
                }
                log(check.Present ? $"{recipe.Tag}: recipe changed, rebuilding ({recipe.Describe})." : $"{recipe.Tag}: not present, building ({recipe.Describe}).");
                var clock = Stopwatch.StartNew();
                await recipe.BuildAsync(context, check.Fingerprint, log, ct).ConfigureAwait(false);
                log($"{recipe.Tag}: built in {clock.Elapsed.TotalSeconds:0.0} s.");
            }
        }
        cache.Save();
        // The no-op path stays quiet: one line for every image found current, not one per recipe.
        if (reused.Count > 0) log(UpToDate(reused));
    }

    /// <summary>
    /// Only checks, never builds: the line <see cref="RunAsync"/> would print when every local image (with the images it is
    /// built FROM) is current, else null (something to build: <see cref="RunAsync"/> builds it, with its progress).
    /// </summary>
    public async Task<string?> CheckCurrentAsync(ImagesOptions options, CancellationToken ct = default)
    {
        if (options.Source == ImageSource.Official) return null;
        var (_, recipes, cache, checks) = await CheckAllAsync(options, ct).ConfigureAwait(false);
        cache.Save();
        return checks.All(c => c.Current) ? UpToDate(recipes.Select(r => r.Tag)) : null;
    }

    private static string UpToDate(IEnumerable<string> tags) => $"Images up to date (built from the same recipes, reused): {string.Join(", ", tags)}.";

    /// <summary>
    /// Every recipe of the images and their bases checked at once (each on the thread pool: a recipe's source walk is CPU).
    /// When all are current nothing is built, so no recipe's fingerprint can change under another's (a base's image id is
    /// part of its dependants' fingerprints). The fingerprints computed are put in the cache (not saved).
    /// </summary>
    private async Task<(ImageBuildContext Context, IReadOnlyList<ImageRecipe> Recipes, FingerprintCache Cache, RecipeCheck[] Checks)> CheckAllAsync(ImagesOptions options, CancellationToken ct)
    {
        var context = new ImageBuildContext(engine, options.RepositoryRoot, options.ScratchDirectory, options.DebianMirror ?? DetectDebianMirror());
        var catalog = options.Recipes ?? ImageCatalog.Local;
        var recipes = options.Images.SelectMany(tag => ImageCatalog.Closure(tag, catalog)).Distinct().ToList();
        var cache = FingerprintCache.Load(Path.Combine(options.ScratchDirectory, "fingerprints.json"));
        var checks = await Task.WhenAll(recipes.Select(r => Task.Run(() => CheckAsync(r, context, cache, ct), ct))).ConfigureAwait(false);
        foreach (var check in checks.Where(c => c.Computed)) cache.Set(check.Recipe.Tag, check.Key, check.Fingerprint);
        return (context, recipes, cache, checks);
    }

    /// <summary>
    /// The recipe's fingerprint (the cheap key first: sizes and times of the sources, base image ids; the sources are hashed
    /// only when it is not in the cache) and whether the image carries it.
    /// </summary>
    private async Task<RecipeCheck> CheckAsync(ImageRecipe recipe, ImageBuildContext context, FingerprintCache cache, CancellationToken ct)
    {
        var key = await recipe.FingerprintAsync(context with { StatOnly = true }, ct).ConfigureAwait(false);
        var fingerprint = cache.Get(recipe.Tag, key);
        var computed = fingerprint is null;
        fingerprint ??= await recipe.FingerprintAsync(context, ct).ConfigureAwait(false);
        var existing = await engine.Images.FindAsync(recipe.Tag, ct).ConfigureAwait(false);
        var current = existing?.Config?.Labels is { } labels && labels.TryGetValue(Labels.Recipe, out var label) && label == fingerprint;
        return new RecipeCheck(recipe, key, fingerprint, computed, existing is not null, current);
    }

    private sealed record RecipeCheck(ImageRecipe Recipe, string Key, string Fingerprint, bool Computed, bool Present, bool Current);

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
