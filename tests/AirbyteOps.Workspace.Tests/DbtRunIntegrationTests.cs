using System.Security.Cryptography;
using System.Text;
using AirbyteOps.Docker;

namespace AirbyteOps.Workspace.Tests;

/// <summary>DbtRun with the stand-in dbt, in its image on the workspace volume and as a local dbt on PATH (see <see cref="StandinFixture"/>).</summary>
[Collection(DockerCollection.Name)]
public sealed class DbtRunIntegrationTests(StandinFixture fixture) : IDisposable
{
    private const string Table = "quarantine.covid_epidemiology";
    private readonly TempDirectory _artifacts = new();
    private readonly List<string> _log = [];

    private DbtRunOptions Container(long? job = null) => Given.Dbt with
    {
        Mode = DbtMode.Container,
        NormalizationImage = fixture.Image,
        WorkspaceVolume = fixture.Volume,
        Job = job,
        Timeout = TimeSpan.FromMinutes(5),
    };

    [Fact]
    public async Task Container_mode_creates_the_normalized_table_from_the_raw_rows()
    {
        await fixture.ScalarAsync<object>($"drop table if exists {Table}");

        var result = await new DbtRunOperation(fixture.Engine).RunAsync(Container(job: 1), _log.Add);

        Assert.Equal(new DbtResult(1, 0, 0, 0, 1, 0) { Command = "run", DoneLineSeen = true }, result);
        Assert.Contains(_log, l => l.Contains("Connection test: OK connection ok", StringComparison.Ordinal));
        Assert.True(_log.Any(l => l.Contains("1 of 1 OK created table model quarantine.covid_epidemiology", StringComparison.Ordinal) && l.Contains("[SELECT 3 in", StringComparison.Ordinal)), string.Join("\n", _log));
        await AssertNormalizedTableAsync();
        Assert.DoesNotContain(_log, l => l.Contains(fixture.Password, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_broken_model_fails_the_run_and_shows_dbts_error_with_the_password_masked()
    {
        var result = await new DbtRunOperation(fixture.Engine).RunAsync(Container(), _log.Add);

        Assert.Equal((0, 1, 1, 1), (result.Pass, result.Error, result.Total, result.ExitCode));
        Assert.False(result.Succeeded);
        Assert.Contains(_log, l => l.Contains("Database Error in model broken_stream (models/generated/broken_stream.sql)", StringComparison.Ordinal));
        Assert.Contains(_log, l => l.Contains("invalid input syntax for type integer: \"[REDACTED]\"", StringComparison.Ordinal));
        Assert.Contains(_log, l => l.Contains("Done. PASS=0 WARN=0 ERROR=1 SKIP=0 TOTAL=1", StringComparison.Ordinal));
        Assert.DoesNotContain(_log, l => l.Contains(fixture.Password, StringComparison.Ordinal));
        Assert.Throws<WorkspaceException>(() => result.ThrowIfFailed());
    }

    [Fact]
    public async Task Local_mode_runs_the_dbt_found_on_PATH_on_the_extracted_copy()
    {
        await new ExtractNormalizationOperation(fixture.Engine).RunAsync(Given.Extract with { WorkspaceVolume = fixture.Volume, ArtifactsDirectory = _artifacts.Path, Job = 1 }, _log.Add);
        await fixture.ScalarAsync<object>($"drop table if exists {Table}");

        var result = await new DbtRunOperation(fixture.Engine).RunAsync(Given.Dbt with
        {
            Mode = DbtMode.Local,
            ArtifactsDirectory = _artifacts.Path,
            SearchPath = $"{fixture.DbtFolder}:{Environment.GetEnvironmentVariable("PATH")}",
        }, _log.Add);

        Assert.True(result.Succeeded, string.Join('\n', _log));
        Assert.Equal((1, 1), (result.Pass, result.Total));
        Assert.Contains(_log, l => l.StartsWith($"==> {Path.Combine(fixture.DbtFolder, "dbt")} deps", StringComparison.Ordinal));
        Assert.Contains(_log, l => l.Contains("Installed from revision 0.6.2", StringComparison.Ordinal));
        Assert.Contains(_log, l => l.Contains("--full-refresh", StringComparison.Ordinal));
        await AssertNormalizedTableAsync();
        Assert.DoesNotContain(_log, l => l.Contains(fixture.Password, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_a_named_image_the_tag_comes_from_the_chosen_attempts_docker_run_line_else_the_known_tag()
    {
        // Tags no host has, so nothing runs: the ensure step records what it was asked for, and the check that follows refuses.
        const string logged = "airbyte/normalization:0.0.0-abops-test-from-log";
        var known = TestNames.Unique("absent-known") + ":0.1.2";
        var volume = await TestEngine.CreateVolumeAsync(fixture.Engine, "dbt-tag", new TarBuilder()
            .File("3/0/logs.log", "2020-12-11 14:37:09 INFO (/tmp/workspace/3/0) WorkerRun(call):62 - Executing worker wrapper...\n"
                + $"2020-12-11 14:37:20 DEBUG (/tmp/workspace/3/0) DockerProcessBuilderFactory(create):88 - Preparing command: docker run --rm -i -v airbyte_workspace:/data -v /tmp/airbyte_local:/local -w /data/3/0/normalize --network host {logged} run --integration-type postgres --config destination_config.json --catalog destination_catalog.json\n")
            .AddProject("3/0/normalize", TestProjects.ProfilesYml("localhost", 1, "x")));
        try
        {
            var asked = new List<string>();
            DbtRunOptions Options(bool fromLog) => Container() with
            {
                WorkspaceVolume = volume, NormalizationImage = known, NormalizationImageFromJobLog = fromLog,
                EnsureImage = (image, _) => { asked.Add(image); return Task.CompletedTask; },
            };

            var fromLog = await Assert.ThrowsAsync<DockerOpsException>(() => new DbtRunOperation(fixture.Engine).RunAsync(Options(fromLog: true), _log.Add));
            Assert.Equal([logged], asked);
            Assert.Contains($"'{logged}' is not on this machine", fromLog.Message, StringComparison.Ordinal);
            Assert.Contains(_log, l => l.Contains($"names the normalization image it ran: {logged}", StringComparison.Ordinal));

            asked.Clear();
            var fallback = await Assert.ThrowsAsync<DockerOpsException>(() => new DbtRunOperation(fixture.Engine).RunAsync(Options(fromLog: false), _log.Add));
            Assert.Equal([known], asked);
            Assert.Contains($"'{known}' is not on this machine", fallback.Message, StringComparison.Ordinal);

            var untagged = await Assert.ThrowsAsync<DockerOpsException>(() => new DbtRunOperation(fixture.Engine).RunAsync(Options(fromLog: true) with { NormalizationImage = "airbyte/normalization" }, _log.Add));
            Assert.Contains("has no tag", untagged.Message, StringComparison.Ordinal);
        }
        finally
        {
            await fixture.Engine.Volumes.RemoveAsync(volume);
        }
    }

    [Fact]
    public async Task Missing_dbt_says_how_to_get_one()
    {
        var noImage = await Assert.ThrowsAsync<DockerOpsException>(() => new DbtRunOperation(fixture.Engine).RunAsync(Container() with { NormalizationImage = TestNames.Unique("absent") + ":1" }, _log.Add));
        using var empty = new TempDirectory();
        TestProjects.WriteProject(Path.Combine(_artifacts.Path, "normalization", "normalize"), TestProjects.ProfilesYml("localhost", 1, "x"));
        var noLocal = await Assert.ThrowsAsync<AirbyteOps.Processes.ProcessException>(() => new DbtRunOperation(fixture.Engine).RunAsync(Given.Dbt with { Mode = DbtMode.Local, ArtifactsDirectory = _artifacts.Path, SearchPath = empty.Path }, _log.Add));
        var noProject = await Assert.ThrowsAsync<WorkspaceException>(() => new DbtRunOperation(fixture.Engine).RunAsync(Given.Dbt with { Mode = DbtMode.Local, ArtifactsDirectory = empty.Path }, _log.Add));

        Assert.Contains("never pulled", noImage.Message, StringComparison.Ordinal);
        Assert.Contains("airbyteops/normalization-standin", noImage.Message, StringComparison.Ordinal);
        Assert.Contains("pip install dbt-postgres", noLocal.Message, StringComparison.Ordinal);
        Assert.Contains("--dbt-mode container", noLocal.Message, StringComparison.Ordinal);
        Assert.Contains("run ./build.sh ExtractNormalization first", noProject.Message, StringComparison.Ordinal);
    }

    private async Task AssertNormalizedTableAsync()
    {
        var types = await fixture.RowsAsync("select column_name::text, data_type::text from information_schema.columns where table_schema = 'quarantine' and table_name = 'covid_epidemiology' order by ordinal_position");
        Assert.Equal(
            new[] { "emitted_at:timestamp with time zone", "normalized_at:timestamp without time zone", "date:character varying", "new_confirmed:double precision", "key:character varying", "_covid_epidemiology_hashid:text" },
            types.Select(r => $"{r[0]}:{r[1]}"));
        var rows = await fixture.RowsAsync($"select date, new_confirmed, key, _covid_epidemiology_hashid from {Table} order by date");
        Assert.Equal(StandinFixture.RawRows.Length, rows.Count);
        Assert.Equal(new object?[] { "2020-06-01", 12.5, "US" }, rows[0][..3]);
        Assert.Null(rows[1][1]);
        // The hash id, computed here independently: md5 of the text values joined with '-', nulls as ''.
        Assert.Equal(StandinFixture.RawRows.Select(r => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(r.Expected)))), rows.Select(r => (string)r[3]!));
    }

    public void Dispose() => _artifacts.Dispose();
}
