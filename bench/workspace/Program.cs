using System.Diagnostics;
using System.Formats.Tar;
using System.Globalization;
using System.Text;
using AirbyteOps.Docker;
using AirbyteOps.Workspace.Jobs;

namespace WorkspaceBench;

/// <summary>
/// dotnet run -c Release -- [--jobs 10000] [--runs 3] [--log-mib 0.5] [--volume EXISTING]
/// Seeds a throw-away volume (abops-bench-...) with N jobs (every third with normalize/), or reads an existing volume
/// read-only, starts a "server" (a Debian container mounting it at /tmp/workspace, as the deployment's server does), then
/// times, interleaved: finding the newest normalization attempt (the library by exec in the server, the library through a
/// helper container, the full listing it replaced), the Logs listing (names, stats, the last line of each log), and the
/// tutorial's busybox pipeline (docker run). A second volume of the same jobs has every logs.log made --log-mib MiB long
/// (sparse: 5 GB at 10,000 jobs), and the same is timed on it in turn, run by run: reading cost must not grow with the logs' bytes.
/// </summary>
public static class Program
{
    private const string Busybox = "airbyteops/busybox:latest";
    private const string Debian = "airbyteops/debian:bookworm";
    private const string TutorialPipeline =
        "find /data -path \"*normalize/models*\" | sed -E \"s;/data/([0-9]+/[0-9]+/)normalize/.*;\\1;g\" | sort | uniq | tail -n 1";

    public static async Task<int> Main(string[] args)
    {
        var jobs = IntArg(args, "--jobs", 10_000);
        var runs = IntArg(args, "--runs", 3);
        var logMib = Arg(args, "--log-mib") is { } m ? double.Parse(m, CultureInfo.InvariantCulture) : 0.5;
        var existing = Arg(args, "--volume");
        using var engine = DockerEngine.Connect();
        var id = Guid.NewGuid().ToString("N")[..10];
        var seeded = existing ?? $"abops-bench-{id}";
        // The logs check reads two volumes of the same jobs, one with the seeded logs and one with every logs.log grown,
        // run by run in turn, so both sides see the same load (one after the other, minutes apart, they did not).
        var grown = existing is null && logMib > 0 ? $"abops-bench-{id}-big" : null;
        var servers = new List<string>();
        try
        {
            if (existing is null) await SeedAsync(engine, seeded, jobs).ConfigureAwait(false);
            var targets = new List<(string Label, string Volume, string Server)> { ("logs as seeded", seeded, await StartServerAsync(engine, seeded, servers).ConfigureAwait(false)) };
            if (grown is not null)
            {
                await SeedAsync(engine, grown, jobs).ConfigureAwait(false);
                var bytes = (long)(logMib * 1024 * 1024);
                var exit = await engine.RunAsync(new ContainerSpec($"abops-bench-grow-{Guid.NewGuid().ToString("N")[..8]}", Busybox)
                {
                    Command = ["sh", "-c", "find /data -name logs.log -exec truncate -s \"$0\" {} +", bytes.ToString(CultureInfo.InvariantCulture)],
                    Mounts = [new VolumeMount(grown, "/data")],
                    NetworkMode = "none",
                }, Console.WriteLine, TimeSpan.FromMinutes(10)).ConfigureAwait(false);
                if (exit != 0) throw new InvalidOperationException($"growing the logs failed (exit {exit})");
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"every logs.log is now {bytes} bytes (sparse): {bytes * jobs / 1e9:0.0} GB of logs"));
                targets.Add(("big logs", grown, await StartServerAsync(engine, grown, servers).ConfigureAwait(false)));
            }
            var medians = await MeasureAsync(engine, targets, runs).ConfigureAwait(false);
            if (grown is not null)
            {
                var (empty, big) = (medians["logs as seeded"], medians["big logs"]);
                Console.WriteLine();
                Console.WriteLine("| median s | logs as seeded | big logs | big / seeded |");
                Console.WriteLine("|---|---:|---:|---:|");
                foreach (var key in empty.Keys)
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {key} | {empty[key]:0.00} | {big[key]:0.00} | {big[key] / empty[key]:0.00} |"));
            }
            return 0;
        }
        finally
        {
            foreach (var server in servers) await engine.Containers.RemoveAsync(server, force: true).ConfigureAwait(false);
            if (existing is null) await engine.Volumes.RemoveAsync(seeded).ConfigureAwait(false);
            if (grown is not null && await engine.Volumes.FindAsync(grown).ConfigureAwait(false) is not null)
                await engine.Volumes.RemoveAsync(grown).ConfigureAwait(false);
        }
    }

    private static async Task SeedAsync(DockerEngine engine, string volume, int jobs)
    {
        var seed = Stopwatch.StartNew();
        await engine.Volumes.CreateAsync(volume, new Dictionary<string, string> { [Labels.Managed] = "true", [Labels.Role] = "bench" }).ConfigureAwait(false);
        await using var mounted = await engine.Volumes.OpenAsync(volume, Busybox).ConfigureAwait(false);
        using var tar = Seed(jobs);
        var megabytes = tar.Length / 1024 / 1024;   // the copy disposes the stream
        await mounted.CopyInAsync("", tar).ConfigureAwait(false);
        Console.WriteLine($"seeded {jobs} jobs ({megabytes} MB of tar) into {volume} in {seed.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>A "server": a Debian container mounting the volume at /tmp/workspace, as the deployment's server does.</summary>
    private static async Task<string> StartServerAsync(DockerEngine engine, string volume, List<string> servers)
    {
        var server = $"abops-bench-ws-server-{Guid.NewGuid().ToString("N")[..8]}";
        await engine.Containers.CreateAsync(new ContainerSpec(server, Debian)
        {
            Command = ["sleep", "infinity"],
            Mounts = [new VolumeMount(volume, "/tmp/workspace", ReadOnly: true)],
            NetworkMode = "none",
            Labels = new Dictionary<string, string> { [Labels.Managed] = "true", [Labels.Role] = "bench" },
        }).ConfigureAwait(false);
        servers.Add(server);
        await engine.Containers.StartAsync(server).ConfigureAwait(false);
        return server;
    }

    /// <summary>
    /// Each way on each target, interleaved run by run, <paramref name="runs"/> times after one warm-up run that is not counted,
    /// the targets taking turns going first; prints every run and the medians,
    /// returns the medians by target label.
    /// </summary>
    private static async Task<Dictionary<string, Dictionary<string, double>>> MeasureAsync(DockerEngine engine,
        List<(string Label, string Volume, string Server)> targets, int runs)
    {
        static (string Name, Func<Task<string>> Run)[] Ways(DockerEngine engine, string volume, string server) =>
        [
            ("newest normalization, exec in the server", async () => Show(await JobWorkspace.FindNewestWithNormalizationAsync(engine, volume, Busybox, runningContainers: [server]).ConfigureAwait(false))),
            ("newest normalization, helper container", async () => Show(await JobWorkspace.FindNewestWithNormalizationAsync(engine, volume, Busybox).ConfigureAwait(false))),
            ("full listing (before), exec in the server", async () => Show((await JobWorkspace.ReadAsync(engine, volume, Busybox, lastLogLines: false, runningContainers: [server]).ConfigureAwait(false)).NewestWithNormalization())),
            ("Logs listing (last log lines), exec in the server", async () => $"{(await JobWorkspace.ReadAsync(engine, volume, Busybox, runningContainers: [server]).ConfigureAwait(false)).Attempts.Count} attempts"),
            ("tutorial: docker run busybox find | sed | sort | uniq | tail", async () =>
            {
                var lines = new List<string>();
                await engine.RunAsync(new ContainerSpec($"abops-bench-find-{Guid.NewGuid().ToString("N")[..8]}", Busybox)
                {
                    Command = ["sh", "-c", TutorialPipeline],
                    Mounts = [new VolumeMount(volume, "/data", ReadOnly: true)],
                    NetworkMode = "none",
                }, lines.Add, TimeSpan.FromMinutes(10)).ConfigureAwait(false);
                return lines.LastOrDefault(l => l.Length > 0) ?? "none";
            }),
        ];
        var ways = targets.ToDictionary(t => t.Label, t => Ways(engine, t.Volume, t.Server));
        var seconds = targets.ToDictionary(t => t.Label, t => ways[t.Label].ToDictionary(w => w.Name, _ => new List<double>()));
        // Run 0 is a warm-up, not recorded (this process's first calls JIT their code, and the first reads fill the page cache:
        // it once made the first target's first run twice its later ones); then the targets take turns going first.
        for (var run = 0; run <= runs; run++)
        {
            foreach (var (label, _, _) in run % 2 == 1 ? targets : Enumerable.Reverse(targets))
            {
                foreach (var (name, action) in ways[label])
                {
                    var clock = Stopwatch.StartNew();
                    var result = await action().ConfigureAwait(false);
                    if (run > 0) seconds[label][name].Add(clock.Elapsed.TotalSeconds);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label}, {(run > 0 ? $"run {run}" : "warm-up")}: {name}: {clock.Elapsed.TotalSeconds:0.00} s -> {result}"));
                }
            }
        }
        var medians = new Dictionary<string, Dictionary<string, double>>();
        foreach (var (label, _, _) in targets)
        {
            medians[label] = seconds[label].ToDictionary(kv => kv.Key, kv => Median(kv.Value));
            var tutorial = medians[label][ways[label][^1].Name];
            foreach (var (name, median) in medians[label])
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label}: median {name}: {median:0.00} s ({median / tutorial:0.00}x the tutorial pipeline)"));
        }
        return medians;
    }

    private static string Show(JobAttempt? attempt) => attempt?.Id.RelativePath ?? "none";

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
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
