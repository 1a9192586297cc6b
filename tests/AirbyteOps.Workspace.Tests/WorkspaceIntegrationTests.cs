using AirbyteOps.Docker;

namespace AirbyteOps.Workspace.Tests;

/// <summary>Logs and ExtractNormalization against a real workspace volume (see <see cref="WorkspaceVolumeFixture"/>).</summary>
[Collection(DockerCollection.Name)]
public sealed class WorkspaceIntegrationTests(WorkspaceVolumeFixture fixture) : IDisposable
{
    // The tutorial's pipeline, verbatim, as one constant handed to sh -c (no string is pasted into it).
    private const string TutorialPipeline =
        "find /data -path \"*normalize/models*\" | sed -E \"s;/data/([0-9]+/[0-9]+/)normalize/.*;\\1;g\" | sort | uniq | tail -n 1";

    private readonly TempDirectory _artifacts = new();
    private readonly List<string> _log = [];

    [Fact]
    public async Task The_newest_normalization_is_job_12_attempt_1_where_the_tutorial_pipeline_picks_job_9()
    {
        var tutorial = new List<string>();
        var exit = await fixture.Engine.RunAsync(new ContainerSpec(TestNames.Unique("find"), TestImages.Busybox)
        {
            Command = ["sh", "-c", TutorialPipeline],
            Mounts = [new VolumeMount(fixture.Volume, "/data", ReadOnly: true)],
            NetworkMode = "none",
        }, tutorial.Add, TimeSpan.FromMinutes(2));

        var workspace = await JobWorkspace.ReadAsync(fixture.Engine, fixture.Volume, TestImages.Busybox);

        Assert.Equal(0, exit);
        Assert.Equal("9/0/", Assert.Single(tutorial, l => l.Length > 0));
        Assert.Equal(new JobAttemptId(12, 1), workspace.NewestWithNormalization()!.Id);
        Assert.Equal(new JobAttemptId(10, 0), workspace.NewestWithNormalization(job: 10)!.Id);
        Assert.Null(workspace.NewestWithNormalization(job: 11));
    }

    [Fact]
    public async Task Extracted_project_equals_docker_cp_of_the_same_folder()
    {
        var project = await new ExtractNormalizationOperation(fixture.Engine).RunAsync(Given.Extract with { WorkspaceVolume = fixture.Volume, ArtifactsDirectory = _artifacts.Path }, _log.Add);

        var dockerCp = Path.Combine(_artifacts.Path, "docker-cp");
        Directory.CreateDirectory(dockerCp);
        await using (var mounted = await WorkspaceVolume.OpenAsync(fixture.Engine, fixture.Volume, TestImages.Busybox))
        {
            var (exit, output) = await ChildProcess.RunAsync("docker", "cp", $"{mounted.ContainerId}:{MountedVolume.PathOf("12/1/normalize")}", dockerCp);
            Assert.True(exit == 0, output);
        }

        Assert.Equal(new JobAttemptId(12, 1), project.Source);
        Assert.Equal(Path.Combine(_artifacts.Path, "normalization", "normalize"), project.Directory);
        Assert.Equal(new[] { "models/generated/covid_epidemiology.sql" }, project.Models);
        Assert.Equal(Tree(Path.Combine(dockerCp, "normalize")), Tree(project.Directory));
        Assert.Equal((UnixFileMode)0b110_000_000, File.GetUnixFileMode(Path.Combine(project.Directory, "profiles.yml")));
        Assert.Contains(_log, l => l.Contains(Path.Combine(project.Directory, "models/generated/covid_epidemiology.sql"), StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_files_holding_the_destination_password_are_extracted_0600_and_the_user_is_told_once()
    {
        // As real 0.7.1 leaves them: profiles.yml and target_config.json in normalize/, world-readable (the worker's umask).
        var tar = new TarBuilder()
            .AddProject("1/0/normalize", TestProjects.ProfilesYml("localhost", 3000, "password"))
            .File("1/0/normalize/profiles.yml", TestProjects.ProfilesYml("localhost", 3000, "password"), (UnixFileMode)0b110_100_100)
            .File("1/0/normalize/target_config.json", "{\"host\":\"localhost\",\"password\":\"password\"}", (UnixFileMode)0b110_100_100);
        var volume = await TestEngine.CreateVolumeAsync(fixture.Engine, "ws-private", tar);
        try
        {
            var project = await new ExtractNormalizationOperation(fixture.Engine).RunAsync(Given.Extract with { WorkspaceVolume = volume, ArtifactsDirectory = _artifacts.Path }, _log.Add);

            Assert.Equal((UnixFileMode)0b110_000_000, File.GetUnixFileMode(Path.Combine(project.Directory, "profiles.yml")));
            Assert.Equal((UnixFileMode)0b110_000_000, File.GetUnixFileMode(Path.Combine(project.Directory, "target_config.json")));
            Assert.NotEqual((UnixFileMode)0b110_000_000, File.GetUnixFileMode(Path.Combine(project.Directory, "dbt_project.yml")));
            var told = Assert.Single(_log, l => l.Contains("destination password", StringComparison.Ordinal));
            Assert.Equal("profiles.yml and target_config.json hold the destination password in plain text: written with mode 0600 (only you can read them); do not commit or share them.", told);
            Assert.DoesNotContain(_log, l => l.Contains("password\"", StringComparison.Ordinal));
        }
        finally
        {
            await fixture.Engine.Volumes.RemoveAsync(volume);
        }
    }

    [Fact]
    public async Task A_chosen_job_replaces_the_older_copy_and_leaves_no_partial_folder()
    {
        var options = Given.Extract with { WorkspaceVolume = fixture.Volume, ArtifactsDirectory = _artifacts.Path };
        await new ExtractNormalizationOperation(fixture.Engine).RunAsync(options, _log.Add);
        File.WriteAllText(Path.Combine(options.ProjectDirectory, "stale.txt"), "from before");

        var project = await new ExtractNormalizationOperation(fixture.Engine).RunAsync(options with { Job = 9 }, _log.Add);

        Assert.Equal(new JobAttemptId(9, 0), project.Source);
        Assert.Equal("9/0", File.ReadAllText(Path.Combine(project.Directory, "workspace.txt")));
        Assert.False(File.Exists(Path.Combine(project.Directory, "stale.txt")));
        Assert.Equal(new[] { "normalize" }, Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(project.Directory)!).Select(Path.GetFileName));
    }

    [Fact]
    public async Task No_job_with_normalization_says_why_and_what_to_run()
    {
        var error = await Assert.ThrowsAsync<WorkspaceException>(() => new ExtractNormalizationOperation(fixture.Engine).RunAsync(
            Given.Extract with { WorkspaceVolume = fixture.VolumeWithoutNormalization, ArtifactsDirectory = _artifacts.Path }, _log.Add));

        Assert.Contains("No job with normalization", error.Message, StringComparison.Ordinal);
        Assert.Contains("jobs 1..3", error.Message, StringComparison.Ordinal);
        Assert.Contains("./build.sh Sync", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_artifacts.Path, "normalization", "normalize")));
    }

    [Fact]
    public async Task A_job_without_normalization_or_a_missing_volume_is_a_clear_error()
    {
        var options = Given.Extract with { WorkspaceVolume = fixture.Volume, ArtifactsDirectory = _artifacts.Path, Job = 11 };

        var noNormalize = await Assert.ThrowsAsync<WorkspaceException>(() => new ExtractNormalizationOperation(fixture.Engine).RunAsync(options, _log.Add));
        var noJob = await Assert.ThrowsAsync<WorkspaceException>(() => new ExtractNormalizationOperation(fixture.Engine).RunAsync(options with { Job = 99 }, _log.Add));
        var noVolume = await Assert.ThrowsAsync<DockerOpsException>(() => new ExtractNormalizationOperation(fixture.Engine).RunAsync(options with { WorkspaceVolume = TestNames.Unique("absent") }, _log.Add));

        Assert.Contains("Job 11 has no normalize/models", noNormalize.Message, StringComparison.Ordinal);
        Assert.Contains("Job 99 is not in workspace volume", noJob.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", noVolume.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logs_lists_attempts_newest_first_in_numeric_order_with_their_last_line()
    {
        var attempts = await new LogsOperation(fixture.Engine).RunAsync(Given.Logs with { WorkspaceVolume = fixture.Volume }, _log.Add);

        var expected = new[] { "12/1", "12/0", "11/0", "10/0", "9/0", "8/0", "7/0", "6/0", "5/0", "4/0", "3/0", "2/0", "1/0" };
        Assert.Equal(expected, attempts.Select(a => a.Id.RelativePath));
        Assert.Equal(WorkspaceVolumeFixture.LastLogLine(12, 1), attempts[0].LastLogLine);
        Assert.Equal(5, attempts[0].Files.Count(f => !f.IsDirectory && !f.Path.StartsWith("normalize/", StringComparison.Ordinal)));
        var rows = _log.Where(l => l.Contains("sync finished", StringComparison.Ordinal)).ToList();
        Assert.Equal(13, rows.Count);
        Assert.Contains("job 12 attempt 1", rows[0], StringComparison.Ordinal);
        Assert.Contains("job 9 attempt 0", rows[4], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_workspace_with_a_5_GB_log_is_listed_without_reading_the_log()
    {
        // A sparse 5 GiB logs.log (no disk used) with one real line at its end, written in the volume itself.
        const string Write = "mkdir -p /v/7/0 && truncate -s \"$1\" /v/7/0/logs.log && echo >> /v/7/0/logs.log && echo \"$2\" >> /v/7/0/logs.log && echo {} > /v/7/0/catalog.json";
        var volume = TestNames.Unique("ws-biglog");
        await fixture.Engine.Volumes.CreateAsync(volume, new Dictionary<string, string> { [Labels.Managed] = "true", [Labels.Role] = "test" });
        try
        {
            var exit = await fixture.Engine.RunAsync(new ContainerSpec(TestNames.Unique("biglog"), TestImages.Busybox)
            {
                Entrypoint = ["sh", "-c", Write, "sh"],
                Command = ["5G", "the last line of a big log"],
                Mounts = [new VolumeMount(volume, "/v")],
                NetworkMode = "none",
            }, _log.Add, TimeSpan.FromMinutes(1));
            Assert.Equal(0, exit);

            var withTails = await JobWorkspace.ReadAsync(fixture.Engine, volume, TestImages.Busybox);
            var namesOnly = await JobWorkspace.ReadAsync(fixture.Engine, volume, TestImages.Busybox, lastLogLines: false);

            var attempt = Assert.Single(withTails.Attempts);
            Assert.Equal(5L * 1024 * 1024 * 1024 + "\nthe last line of a big log\n".Length, attempt.Log!.Size);
            Assert.Equal("the last line of a big log", attempt.LastLogLine);
            // What crossed the engine: the stat lines and at most the log's last 8 KB, never its 5 GiB.
            Assert.InRange(withTails.ListingBytes, 1, 16 * 1024);
            Assert.InRange(namesOnly.ListingBytes, 1, 1024);
            Assert.Null(Assert.Single(namesOnly.Attempts).LastLogLine);
        }
        finally
        {
            await fixture.Engine.Volumes.RemoveAsync(volume);
        }
    }

    [Fact]
    public async Task Logs_of_one_job_prints_its_newest_attempt_or_copies_it_with_the_catalog()
    {
        var options = Given.Logs with { WorkspaceVolume = fixture.Volume, ArtifactsDirectory = _artifacts.Path, Job = 12 };

        await new LogsOperation(fixture.Engine).RunAsync(options, _log.Add);
        var printed = _log.ToList();
        _log.Clear();
        await new LogsOperation(fixture.Engine).RunAsync(options with { Attempt = 0, Copy = true }, _log.Add);

        Assert.Contains(WorkspaceVolumeFixture.LastLogLine(12, 1), printed);
        Assert.DoesNotContain(WorkspaceVolumeFixture.LastLogLine(12, 0), printed);
        var copied = Path.Combine(_artifacts.Path, "logs", "12", "0");
        Assert.EndsWith(WorkspaceVolumeFixture.LastLogLine(12, 0) + "\n", File.ReadAllText(Path.Combine(copied, "logs.log")), StringComparison.Ordinal);
        Assert.Contains("\"job\":12", File.ReadAllText(Path.Combine(copied, "catalog.json")), StringComparison.Ordinal);
        var wrong = await Assert.ThrowsAsync<WorkspaceException>(() => new LogsOperation(fixture.Engine).RunAsync(options with { Attempt = 5 }, _log.Add));
        Assert.Contains("Job 12 has no attempt 5 (attempts: 0, 1)", wrong.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Following_a_log_prints_lines_appended_later()
    {
        // A volume of its own: this test appends to it.
        var volume = await TestEngine.CreateVolumeAsync(fixture.Engine, "ws-follow", new TarBuilder().File("3/0/logs.log", "first line\n"));
        try
        {
            var lines = new List<string>();
            using var stop = new CancellationTokenSource();
            var follow = new LogsOperation(fixture.Engine).RunAsync(Given.Logs with { WorkspaceVolume = volume, Job = 3, Follow = true, FollowInterval = TimeSpan.FromMilliseconds(200) },
                l => { lock (lines) lines.Add(l); }, stop.Token);
            await Readiness.WaitUntilAsync("the first line", _ => Task.FromResult(Contains(lines, "first line")), TimeSpan.FromSeconds(30));

            await TestEngine.WriteAsync(fixture.Engine, volume, "", new TarBuilder().File("3/0/logs.log", "first line\nsecond line\n"));
            await Readiness.WaitUntilAsync("the appended line", _ => Task.FromResult(Contains(lines, "second line")), TimeSpan.FromSeconds(30));
            await stop.CancelAsync();
            await follow;

            lock (lines) Assert.Single(lines, l => l == "first line");
        }
        finally
        {
            await fixture.Engine.Volumes.RemoveAsync(volume);
        }
    }

    private static bool Contains(List<string> lines, string line)
    {
        lock (lines) return lines.Contains(line);
    }

    /// <summary>Every entry under a folder: kind, mode, and content or link target.</summary>
    private static List<string> Tree(string root) => Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
        .Select(path =>
        {
            var info = new FileInfo(path);
            var relative = Path.GetRelativePath(root, path);
            if (info.LinkTarget is { } target) return $"link {relative} -> {target}";
            if (Directory.Exists(path)) return $"dir {relative} {File.GetUnixFileMode(path)}";
            return $"file {relative} {File.GetUnixFileMode(path)} {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)))}";
        })
        .Order(StringComparer.Ordinal)
        .ToList();

    public void Dispose() => _artifacts.Dispose();
}
