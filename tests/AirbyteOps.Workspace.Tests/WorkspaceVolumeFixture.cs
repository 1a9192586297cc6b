using AirbyteOps.Docker;

namespace AirbyteOps.Workspace.Tests;

/// <summary>
/// A workspace volume like the demo scheduler's: jobs 1..12, attempt 0 each and job 12 also attempt 1; normalize/ only in
/// jobs 2, 5, 9, 10 and 12 (both attempts). Numerically the newest is 12/1; the tutorial's text sort picks 9/0.
/// Also a volume whose jobs never ran normalization.
/// </summary>
public sealed class WorkspaceVolumeFixture : IAsyncLifetime
{
    public static readonly long[] NormalizedJobs = [2, 5, 9, 10, 12];

    public DockerEngine Engine { get; } = DockerEngine.Connect();
    public string Volume { get; private set; } = "";
    public string VolumeWithoutNormalization { get; private set; } = "";

    public static string LastLogLine(long job, long attempt) => $"2021-02-03 04:05:06 INFO job {job} attempt {attempt}: sync finished";

    public async Task InitializeAsync()
    {
        var tar = new TarBuilder();
        for (var job = 1; job <= 12; job++)
        {
            foreach (var attempt in job == 12 ? new[] { 0, 1 } : [0])
            {
                var folder = $"{job}/{attempt}";
                tar.File($"{folder}/logs.log", $"2021-02-03 04:05:00 INFO Executing worker wrapper. Airbyte version: 0.7.1-alpha\n2021-02-03 04:05:01 INFO Checking if airbyte/source-file exists...\n{LastLogLine(job, attempt)}\n")
                    .File($"{folder}/catalog.json", $"{{\"streams\":[{{\"stream\":{{\"name\":\"covid_epidemiology\"}},\"job\":{job}}}]}}")
                    .File($"{folder}/tap_config.json", "{\"url\":\"https://example.invalid/x.csv\"}", (UnixFileMode)0b110_000_000)
                    .File($"{folder}/target_config.json", "{\"host\":\"localhost\",\"password\":\"not-printed\"}", (UnixFileMode)0b110_000_000)
                    .File($"{folder}/singer_rendered_catalog.json", "{}");
                if (!NormalizedJobs.Contains(job)) continue;
                tar.AddProject($"{folder}/normalize", TestProjects.ProfilesYml("localhost", 3000, "password"))
                    .File($"{folder}/normalize/workspace.txt", folder)
                    .File($"{folder}/normalize/run-dbt.sh", "#!/bin/sh\nexec dbt run --profiles-dir=. --project-dir=.\n", (UnixFileMode)0b111_101_000)
                    .Symlink($"{folder}/normalize/current_model.sql", "models/generated/covid_epidemiology.sql");
            }
        }
        Volume = await TestEngine.CreateVolumeAsync(Engine, "ws", tar);

        var plain = new TarBuilder();
        for (var job = 1; job <= 3; job++) plain.File($"{job}/0/logs.log", LastLogLine(job, 0) + "\n");
        VolumeWithoutNormalization = await TestEngine.CreateVolumeAsync(Engine, "ws-nonorm", plain);
    }

    public async Task DisposeAsync()
    {
        foreach (var volume in new[] { Volume, VolumeWithoutNormalization }.Where(v => v.Length > 0))
            await Engine.Volumes.RemoveAsync(volume);
        Engine.Dispose();
    }
}
