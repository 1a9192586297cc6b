using AirbyteOps.Docker;

namespace AirbyteOps.Workspace.Tests;

/// <summary>
/// The workspace listing through a running deployment container (docker exec, no container started) and its fallback to
/// the one-off busybox container, on the real engine. The "server" here is a Debian container (GNU find/stat/tail, as in the
/// stand-in images and the real 0.7 server's Debian-based Java image) mounting the volume at /tmp/workspace.
/// </summary>
[Collection(DockerCollection.Name)]
public sealed class WorkspaceListingByExecTests(WorkspaceVolumeFixture fixture)
{
    [Fact]
    public async Task A_running_container_that_mounts_the_volume_lists_it_by_exec_exactly_as_the_helper_container_does()
    {
        var server = await StartAsync("ws-server", TestImages.DebianBase, fixture.Volume);
        try
        {
            foreach (var (job, tails) in new (long?, bool)[] { (null, true), (null, false), (12, true) })
            {
                var helper = await JobWorkspace.ReadAsync(fixture.Engine, fixture.Volume, TestImages.Busybox, job, tails);
                var exec = await JobWorkspace.ReadAsync(fixture.Engine, fixture.Volume, TestImages.Busybox, job, tails, runningContainers: [TestNames.Unique("absent"), server]);

                Assert.Equal("helper container", helper.ListedBy);
                Assert.Equal($"exec in container '{server}'", exec.ListedBy);
                Assert.NotEmpty(helper.Attempts);
                Assert.Equal(Describe(helper), Describe(exec));
            }
        }
        finally
        {
            await fixture.Engine.Containers.RemoveAsync(server);
        }
    }

    [Fact]
    public async Task A_5_GB_log_is_not_read_by_the_exec_listing_either()
    {
        var volume = await TestEngine.CreateVolumeAsync(fixture.Engine, "ws-exec-biglog", new TarBuilder().File("7/0/catalog.json", "{}"));
        string? server = null;
        try
        {
            var write = await fixture.Engine.RunAsync(new ContainerSpec(TestNames.Unique("biglog"), TestImages.Busybox)
            {
                Entrypoint = ["sh", "-c", "truncate -s 5G /v/7/0/logs.log && echo >> /v/7/0/logs.log && echo \"$1\" >> /v/7/0/logs.log", "sh"],
                Command = ["the last line of a big log"],
                Mounts = [new VolumeMount(volume, "/v")],
                NetworkMode = "none",
            }, _ => { }, TimeSpan.FromMinutes(1));
            Assert.Equal(0, write);
            server = await StartAsync("ws-exec-server", TestImages.DebianBase, volume);

            var workspace = await JobWorkspace.ReadAsync(fixture.Engine, volume, TestImages.Busybox, runningContainers: [server]);

            Assert.Equal($"exec in container '{server}'", workspace.ListedBy);
            var attempt = Assert.Single(workspace.Attempts);
            Assert.Equal(5L * 1024 * 1024 * 1024 + "\nthe last line of a big log\n".Length, attempt.Log!.Size);
            Assert.Equal("the last line of a big log", attempt.LastLogLine);
            Assert.InRange(workspace.ListingBytes, 1, 16 * 1024);
        }
        finally
        {
            if (server is not null) await fixture.Engine.Containers.RemoveAsync(server);
            await fixture.Engine.Volumes.RemoveAsync(volume);
        }
    }

    [Fact]
    public async Task Stopped_containers_containers_without_the_volume_and_images_without_the_tools_leave_it_to_the_helper_container()
    {
        // Created, never started, but mounting the volume.
        var stopped = TestNames.Unique("ws-stopped");
        await fixture.Engine.Containers.CreateAsync(new ContainerSpec(stopped, TestImages.DebianBase)
        {
            Command = ["sleep", "3600"], Mounts = [new VolumeMount(fixture.Volume, "/tmp/workspace", ReadOnly: true)], NetworkMode = "none",
        });
        // Running, but another volume.
        var other = await StartAsync("ws-other", TestImages.DebianBase, fixture.VolumeWithoutNormalization);
        // Running and mounting the volume, but neither sh nor find/stat/tail can be found (PATH leads nowhere).
        var toolless = await StartAsync("ws-toolless", TestImages.Busybox, fixture.Volume, new Dictionary<string, string> { ["PATH"] = "/nonexistent" }, ["/bin/sleep", "3600"]);
        try
        {
            var workspace = await JobWorkspace.ReadAsync(fixture.Engine, fixture.Volume, TestImages.Busybox, runningContainers: [stopped, other, toolless]);
            var helper = await JobWorkspace.ReadAsync(fixture.Engine, fixture.Volume, TestImages.Busybox);

            Assert.Equal("helper container", workspace.ListedBy);
            Assert.Equal(13, workspace.Attempts.Count);
            Assert.Equal(Describe(helper), Describe(workspace));
        }
        finally
        {
            foreach (var name in new[] { stopped, other, toolless }) await fixture.Engine.Containers.RemoveAsync(name);
        }
    }

    [Fact]
    public async Task ExtractNormalization_through_a_running_server_creates_no_container_and_copies_what_the_helper_copies()
    {
        var server = await StartAsync("ws-server", TestImages.DebianBase, fixture.Volume);
        using var viaServer = new TempDirectory();
        using var viaHelper = new TempDirectory();
        try
        {
            // No helper image at all: listing and copy must both go through the running server (exec, archive endpoint).
            var noHelper = Given.Extract with { WorkspaceVolume = fixture.Volume, HelperImage = "airbyteops/no-such-image:absent", ListingContainers = [server], ArtifactsDirectory = viaServer.Path };
            var project = await new ExtractNormalizationOperation(fixture.Engine).RunAsync(noHelper, _ => { });
            var helped = await new ExtractNormalizationOperation(fixture.Engine).RunAsync(Given.Extract with { WorkspaceVolume = fixture.Volume, ArtifactsDirectory = viaHelper.Path }, _ => { });

            Assert.Equal(new JobAttemptId(12, 1), project.Source);
            Assert.Equal(Files(helped.Directory), Files(project.Directory));
            Assert.NotEmpty(Files(project.Directory));
            await Assert.ThrowsAnyAsync<AirbyteOpsException>(() => new ExtractNormalizationOperation(fixture.Engine).RunAsync(noHelper with { ListingContainers = [] }, _ => { }));
        }
        finally
        {
            await fixture.Engine.Containers.RemoveAsync(server);
        }

        static List<string> Files(string root) => Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => $"{Path.GetRelativePath(root, f)} {File.GetUnixFileMode(f)} {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f)))}")
            .Order(StringComparer.Ordinal).ToList();
    }

    private async Task<string> StartAsync(string what, string image, string volume, Dictionary<string, string>? environment = null, IReadOnlyList<string>? command = null)
    {
        var name = TestNames.Unique(what);
        await fixture.Engine.Containers.CreateAsync(new ContainerSpec(name, image)
        {
            Entrypoint = command is null ? null : [.. command],
            Command = command is null ? ["sleep", "3600"] : null,
            Environment = environment ?? [],
            Mounts = [new VolumeMount(volume, "/tmp/workspace", ReadOnly: true)],
            NetworkMode = "none",
        });
        await fixture.Engine.Containers.StartAsync(name);
        return name;
    }

    /// <summary>Every attempt with every file's path, kind, size, mode and time, and its last log line.</summary>
    private static List<string> Describe(JobWorkspace workspace) => workspace.Attempts
        .Select(a => $"{a.Id} [{a.LastLogLine}] " + string.Join("; ", a.Files.Select(f => $"{f.Path} {f.IsDirectory} {f.Size} {f.Mode} {f.Modified.ToUnixTimeSeconds()}")))
        .ToList();
}
