using System.Diagnostics;
using System.Formats.Tar;
using System.Globalization;
using System.Text;
using AirbyteOps.Docker;
using AirbyteOps.Workspace.Jobs;

namespace WorkspaceBench;

/// <summary>
/// dotnet run -c Release -- [--jobs 10000] [--runs 3] [--volume EXISTING]
/// Seeds a throw-away volume (abops-bench-...) with N jobs (every third with normalize/), or reads an existing volume
/// read-only, then times: the library finding the newest normalization attempt, and the tutorial's busybox pipeline.
/// </summary>
public static class Program
{
    private const string Busybox = "airbyteops/busybox:latest";
    private const string TutorialPipeline =
        "find /data -path \"*normalize/models*\" | sed -E \"s;/data/([0-9]+/[0-9]+/)normalize/.*;\\1;g\" | sort | uniq | tail -n 1";

    public static async Task<int> Main(string[] args)
    {
        var jobs = IntArg(args, "--jobs", 10_000);
        var runs = IntArg(args, "--runs", 3);
        var existing = Arg(args, "--volume");
        using var engine = DockerEngine.Connect();
        var volume = existing ?? $"abops-bench-{Guid.NewGuid().ToString("N")[..10]}";
        try
        {
            if (existing is null)
            {
                var seed = Stopwatch.StartNew();
                await engine.Volumes.CreateAsync(volume, new Dictionary<string, string> { [Labels.Managed] = "true", [Labels.Role] = "bench" }).ConfigureAwait(false);
                await using var mounted = await engine.Volumes.OpenAsync(volume, Busybox).ConfigureAwait(false);
                using var tar = Seed(jobs);
                Console.WriteLine($"seeded {jobs} jobs ({tar.Length / 1024 / 1024} MB of tar) into {volume} in {seed.Elapsed.TotalSeconds:0.0} s");
                await mounted.CopyInAsync("", tar).ConfigureAwait(false);
            }
            for (var run = 1; run <= runs; run++)
            {
                var clock = Stopwatch.StartNew();
                var workspace = await JobWorkspace.ReadAsync(engine, volume, Busybox, lastLogLines: false).ConfigureAwait(false);
                var newest = workspace.NewestWithNormalization();
                var library = clock.Elapsed;

                clock.Restart();
                var lines = new List<string>();
                await engine.RunAsync(new ContainerSpec($"abops-bench-find-{Guid.NewGuid().ToString("N")[..8]}", Busybox)
                {
                    Command = ["sh", "-c", TutorialPipeline],
                    Mounts = [new VolumeMount(volume, "/data", ReadOnly: true)],
                    NetworkMode = "none",
                }, lines.Add, TimeSpan.FromMinutes(10)).ConfigureAwait(false);
                var tutorial = clock.Elapsed;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"run {run}: library {library.TotalSeconds:0.00} s -> {newest?.Id.RelativePath ?? "none"} ({workspace.Attempts.Count} attempts) | tutorial pipeline {tutorial.TotalSeconds:0.00} s -> {lines.LastOrDefault(l => l.Length > 0) ?? "none"}"));
            }
            return 0;
        }
        finally
        {
            if (existing is null) await engine.Volumes.RemoveAsync(volume).ConfigureAwait(false);
        }
    }

    private static MemoryStream Seed(int jobs)
    {
        var output = new MemoryStream();
        var log = new StringBuilder();
        for (var i = 0; i < 20; i++) log.Append("2021-02-03 04:05:06 INFO i.a.w.p.DockerProcessBuilderFactory(create):101 - Preparing command: docker run --rm -i ...\n");
        var logBytes = Encoding.UTF8.GetBytes(log.ToString());
        var small = Encoding.UTF8.GetBytes("{\"streams\":[]}");
        var sql = Encoding.UTF8.GetBytes("select 1 as x\n");
        using (var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true))
        {
            void Dir(string name) => writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, name + "/") { Mode = (UnixFileMode)0b111_101_101 });
            void File(string name, byte[] content) => writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { Mode = (UnixFileMode)0b110_100_100, DataStream = new MemoryStream(content) });
            for (var job = 1; job <= jobs; job++)
            {
                Dir($"{job}");
                Dir($"{job}/0");
                File($"{job}/0/logs.log", logBytes);
                File($"{job}/0/catalog.json", small);
                File($"{job}/0/tap_config.json", small);
                File($"{job}/0/target_config.json", small);
                File($"{job}/0/singer_rendered_catalog.json", small);
                // Every third job, and the last one, so numeric and text order disagree (job 10000 vs 9999).
                if (job % 3 != 0 && job != jobs) continue;
                Dir($"{job}/0/normalize");
                File($"{job}/0/normalize/dbt_project.yml", small);
                File($"{job}/0/normalize/profiles.yml", small);
                Dir($"{job}/0/normalize/models");
                Dir($"{job}/0/normalize/models/generated");
                File($"{job}/0/normalize/models/generated/stream.sql", sql);
            }
        }
        output.Position = 0;
        return output;
    }

    private static string? Arg(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static int IntArg(string[] args, string name, int fallback) =>
        Arg(args, name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
}
