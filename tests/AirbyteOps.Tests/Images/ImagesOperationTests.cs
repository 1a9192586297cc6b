using AirbyteOps.Docker;
using AirbyteOps.Images;

namespace AirbyteOps.Tests.Images;

/// <summary>
/// Local image recipes against the real engine: a small Dockerfile recipe FROM the local busybox image, in a folder of its
/// own. What is current is reused without a build (all recipes are checked at once on that path); what is missing is built;
/// a changed source is rebuilt.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class ImagesOperationTests(EngineFixture fixture) : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), TestNames.Unique("images"));
    private readonly string _tag = $"airbyteops/{TestNames.Unique("test-recipe")}:t";
    private readonly List<string> _log = [];

    private DockerEngine Engine => fixture.Engine;

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(_root, "recipe"));
        File.WriteAllText(Path.Combine(_root, "recipe", "Dockerfile"), $"FROM {ImageCatalog.Busybox}\nCOPY hello.txt /hello.txt\n");
        File.WriteAllText(Path.Combine(_root, "recipe", "hello.txt"), "one\n");
        return Task.CompletedTask;
    }

    private ImagesOptions Options() => new(ImageSource.Local, [_tag], _root, Path.Combine(_root, "scratch"), DebianMirror: "http://deb.debian.org/debian")
    {
        Recipes = [new BusyboxRecipe(ImageCatalog.Busybox), new DockerfileRecipe(_tag, "recipe", [ImageCatalog.Busybox])],
    };

    [Fact]
    public async Task A_missing_image_is_built_a_current_one_reused_without_a_build_and_a_changed_source_rebuilt()
    {
        await new ImagesOperation(Engine).RunAsync(Options(), _log.Add);
        var built = await Engine.Images.FindAsync(_tag);
        Assert.Contains(_log, l => l.StartsWith($"{_tag}: not present, building", StringComparison.Ordinal));
        Assert.Contains(_log, l => l.StartsWith("Images up to date", StringComparison.Ordinal) && l.Contains(ImageCatalog.Busybox, StringComparison.Ordinal));

        _log.Clear();
        await new ImagesOperation(Engine).RunAsync(Options(), _log.Add);
        var again = await Engine.Images.FindAsync(_tag);
        Assert.Equal($"Images up to date (built from the same recipes, reused): {ImageCatalog.Busybox}, {_tag}.", Assert.Single(_log));
        Assert.Equal(built!.ID, again!.ID);

        _log.Clear();
        File.WriteAllText(Path.Combine(_root, "recipe", "hello.txt"), "two\n");
        await new ImagesOperation(Engine).RunAsync(Options(), _log.Add);
        var rebuilt = await Engine.Images.FindAsync(_tag);
        Assert.Contains(_log, l => l.StartsWith($"{_tag}: recipe changed, rebuilding", StringComparison.Ordinal));
        Assert.NotEqual(built.ID, rebuilt!.ID);
    }

    [Fact]
    public async Task The_check_alone_says_when_every_image_is_current_and_builds_nothing_when_one_is_not()
    {
        Assert.Null(await new ImagesOperation(Engine).CheckCurrentAsync(Options()));
        Assert.Null(await Engine.Images.FindAsync(_tag));

        await new ImagesOperation(Engine).RunAsync(Options(), _log.Add);
        var built = await Engine.Images.FindAsync(_tag);
        Assert.Equal($"Images up to date (built from the same recipes, reused): {ImageCatalog.Busybox}, {_tag}.", await new ImagesOperation(Engine).CheckCurrentAsync(Options()));

        File.WriteAllText(Path.Combine(_root, "recipe", "hello.txt"), "two\n");
        Assert.Null(await new ImagesOperation(Engine).CheckCurrentAsync(Options()));
        Assert.Equal(built!.ID, (await Engine.Images.FindAsync(_tag))!.ID);
    }

    public async Task DisposeAsync()
    {
        if (await Engine.Images.FindAsync(_tag) is not null) await Engine.Images.RemoveAsync(_tag);
        Directory.Delete(_root, recursive: true);
    }
}
