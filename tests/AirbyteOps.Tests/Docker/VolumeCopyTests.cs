using AirbyteOps.Docker;
using AirbyteOps.Images;

namespace AirbyteOps.Tests.Docker;

[Collection(EngineCollection.Name)]
public sealed class VolumeCopyTests : IAsyncLifetime
{
    // A constant script, run as an argument list: files with distinct modes, nested folders, relative symlinks.
    private const string MakeTree =
        "mkdir -p /data/tree/sub/deeper && printf 'hello\\n' > /data/tree/a.txt && chmod 640 /data/tree/a.txt && " +
        "printf '#!/bin/sh\\necho hi\\n' > /data/tree/sub/run.sh && chmod 755 /data/tree/sub/run.sh && " +
        "printf 'secret' > /data/tree/sub/deeper/key && chmod 600 /data/tree/sub/deeper/key && chmod 700 /data/tree/sub/deeper && " +
        "ln -s a.txt /data/tree/link && ln -s ../a.txt /data/tree/sub/up && chmod 750 /data/tree/sub";

    private readonly EngineFixture _fixture;
    private readonly string _source = TestNames.Unique("src");
    private readonly string _target = TestNames.Unique("dst");
    private readonly string _host = Path.Combine(Path.GetTempPath(), TestNames.Unique("host"));

    public VolumeCopyTests(EngineFixture fixture) => _fixture = fixture;

    private DockerEngine Engine => _fixture.Engine;

    public async Task InitializeAsync()
    {
        await Engine.Volumes.CreateAsync(_source);
        await Engine.Volumes.CreateAsync(_target);
        var exit = await Engine.RunAsync(new ContainerSpec(TestNames.Unique("mk"), ImageCatalog.Busybox)
        {
            Command = ["sh", "-c", MakeTree],
            Mounts = [new VolumeMount(_source, "/data")],
        }, _ => { });
        Assert.Equal(0, exit);
        Directory.CreateDirectory(_host);
    }

    [Fact]
    public async Task Copy_out_of_a_volume_matches_docker_cp_in_content_modes_and_symlinks()
    {
        var reference = await DockerCpOutAsync(_source, "tree", Path.Combine(_host, "by-docker-cp"));

        await using var volume = await Engine.Volumes.OpenAsync(_source, ImageCatalog.Busybox);
        await using var tar = await volume.CopyOutAsync("tree");
        var ours = TreeSnapshot.FromTar(tar);

        Assert.Equal(8, reference.Count);
        Assert.Equal(reference, ours);
        Assert.Equal("link -> a.txt", ours["tree/link"]);
        Assert.StartsWith("file 600 ", ours["tree/sub/deeper/key"]);
    }

    [Fact]
    public async Task Copy_out_and_back_into_another_volume_gives_the_same_tree_as_docker_cp()
    {
        var original = await DockerCpOutAsync(_source, "tree", Path.Combine(_host, "original"));

        await using (var from = await Engine.Volumes.OpenAsync(_source, ImageCatalog.Busybox))
        await using (var to = await Engine.Volumes.OpenAsync(_target, ImageCatalog.Busybox))
        await using (var tar = await from.CopyOutAsync("tree"))
        {
            await to.CopyInAsync("", tar);
        }
        var copied = await DockerCpOutAsync(_target, "tree", Path.Combine(_host, "copied"));

        Assert.Equal(original, copied);
    }

    [Fact]
    public async Task Copying_a_missing_path_names_the_volume_and_the_path()
    {
        await using var volume = await Engine.Volumes.OpenAsync(_source, ImageCatalog.Busybox);

        var error = await Assert.ThrowsAsync<DockerOpsException>(() => volume.CopyOutAsync("no/such/thing"));

        Assert.Contains(_source, error.Message);
        Assert.Contains("no/such/thing", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task Opening_a_missing_volume_is_a_one_line_error_naming_it()
    {
        var missing = TestNames.Unique("missing");

        var error = await Assert.ThrowsAsync<DockerOpsException>(() => Engine.Volumes.OpenAsync(missing, ImageCatalog.Busybox));

        Assert.Contains(missing, error.Message);
    }

    /// <summary>The reference: docker cp of the path out of a created-not-started container that mounts the volume.</summary>
    private async Task<SortedDictionary<string, string>> DockerCpOutAsync(string volume, string path, string hostDir)
    {
        Directory.CreateDirectory(hostDir);
        var name = TestNames.Unique("cp");
        await DockerCli.CheckAsync("create", "--name", name, "-v", $"{volume}:/data", ImageCatalog.Busybox, "true");
        try
        {
            await DockerCli.CheckAsync("cp", $"{name}:/data/{path}", hostDir);
        }
        finally
        {
            await DockerCli.RunAsync("rm", "-f", name);
        }
        return TreeSnapshot.FromDirectory(Path.Combine(hostDir, path));
    }

    public async Task DisposeAsync()
    {
        await Engine.Volumes.RemoveAsync(_source);
        await Engine.Volumes.RemoveAsync(_target);
        if (Directory.Exists(_host)) Directory.Delete(_host, recursive: true);
    }
}
