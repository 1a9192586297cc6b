using AirbyteOps.Docker;

namespace AirbyteOps.Workspace.Tests;

/// <summary>
/// <see cref="JobWorkspace.FindNewestWithNormalizationAsync"/> (folder names only, then the one attempt's stats) must pick
/// exactly the attempt, with exactly the files, that the full listing's <see cref="JobWorkspace.NewestWithNormalization"/>
/// picks, on the real engine, through the helper container and through a running "server" (Debian: GNU tools) by exec.
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class NewestNormalizationTests(WorkspaceVolumeFixture fixture)
{
    [Fact]
    public async Task The_newest_attempt_and_its_files_are_the_full_listings_through_the_helper_and_by_exec()
    {
        var server = await StartServerAsync(fixture.Volume);
        try
        {
            var full = (await JobWorkspace.ReadAsync(fixture.Engine, fixture.Volume, TestImages.Busybox, lastLogLines: false)).NewestWithNormalization();
            var helper = await JobWorkspace.FindNewestWithNormalizationAsync(fixture.Engine, fixture.Volume, TestImages.Busybox);
            var exec = await JobWorkspace.FindNewestWithNormalizationAsync(fixture.Engine, fixture.Volume, "airbyteops/no-such-image:absent", runningContainers: [server]);

            Assert.Equal(new JobAttemptId(12, 1), full!.Id);
            Assert.Equal(Describe(full), Describe(helper));
            Assert.Equal(Describe(full), Describe(exec));
            Assert.NotEmpty(helper!.Models);
        }
        finally
        {
            await fixture.Engine.Containers.RemoveAsync(server);
        }
    }

    [Fact]
    public async Task No_attempt_with_normalization_gives_none()
    {
        Assert.Null(await JobWorkspace.FindNewestWithNormalizationAsync(fixture.Engine, fixture.VolumeWithoutNormalization, TestImages.Busybox));
    }

    [Fact]
    public async Task Numbers_not_text_and_only_what_the_full_listing_counts()
    {
        // 9 vs 10 vs 100 (text order would pick 9), attempts 2 vs 10 of job 100; above them only shapes the full listing does
        // not count: a non-numeric job, a normalize/ without models, a normalize that is a link, an attempt that is a link,
        // and a job whose number has too many digits. Job 100 attempt 10's models is a plain file: the tutorial's find and
        // the full listing count it.
        var tar = new TarBuilder()
            .File("9/0/normalize/models/a.sql", "select 1")
            .File("10/0/normalize/models/a.sql", "select 1")
            .File("100/2/normalize/models/a.sql", "select 1")
            .File("100/10/normalize/models", "not a folder")
            .File("100/10/logs.log", "log")
            .File("abc/0/normalize/models/a.sql", "select 1")
            .File("200/0/normalize/dbt_project.yml", "name: x")
            .Symlink("300/0/normalize", "../../100/2/normalize")
            .Directory("400")
            .Symlink("400/0", "../100/2")
            .File("1234567890123456789/0/normalize/models/a.sql", "select 1");
        var volume = await TestEngine.CreateVolumeAsync(fixture.Engine, "ws-newest-shapes", tar);
        var server = await StartServerAsync(volume);
        try
        {
            var full = (await JobWorkspace.ReadAsync(fixture.Engine, volume, TestImages.Busybox, lastLogLines: false)).NewestWithNormalization();
            var helper = await JobWorkspace.FindNewestWithNormalizationAsync(fixture.Engine, volume, TestImages.Busybox);
            var exec = await JobWorkspace.FindNewestWithNormalizationAsync(fixture.Engine, volume, TestImages.Busybox, runningContainers: [server]);

            Assert.Equal(new JobAttemptId(100, 10), full!.Id);
            Assert.Equal(Describe(full), Describe(helper));
            Assert.Equal(Describe(full), Describe(exec));
        }
        finally
        {
            await fixture.Engine.Containers.RemoveAsync(server);
            await fixture.Engine.Volumes.RemoveAsync(volume);
        }
    }

    [Fact]
    public async Task A_server_without_the_tools_leaves_it_to_the_helper_container()
    {
        var name = TestNames.Unique("ws-newest-toolless");
        await fixture.Engine.Containers.CreateAsync(new ContainerSpec(name, TestImages.Busybox)
        {
            Entrypoint = ["/bin/sleep", "3600"],
            Environment = new Dictionary<string, string> { ["PATH"] = "/nonexistent" },
            Mounts = [new VolumeMount(fixture.Volume, "/tmp/workspace", ReadOnly: true)],
            NetworkMode = "none",
        });
        await fixture.Engine.Containers.StartAsync(name);
        try
        {
            var found = await JobWorkspace.FindNewestWithNormalizationAsync(fixture.Engine, fixture.Volume, TestImages.Busybox, runningContainers: [name]);
            Assert.Equal(new JobAttemptId(12, 1), found!.Id);
        }
        finally
        {
            await fixture.Engine.Containers.RemoveAsync(name);
        }
    }

    private async Task<string> StartServerAsync(string volume)
    {
        var name = TestNames.Unique("ws-newest-server");
        await fixture.Engine.Containers.CreateAsync(new ContainerSpec(name, TestImages.DebianBase)
        {
            Command = ["sleep", "3600"],
            Mounts = [new VolumeMount(volume, "/tmp/workspace", ReadOnly: true)],
            NetworkMode = "none",
        });
        await fixture.Engine.Containers.StartAsync(name);
        return name;
    }

    private static List<string> Describe(JobAttempt? attempt) => attempt is null ? [] :
        [attempt.Id.ToString(), .. attempt.Files.Select(f => $"{f.Path} {f.Size} {f.Modified.ToUnixTimeSeconds()} {f.Mode} {f.IsDirectory}")];
}
