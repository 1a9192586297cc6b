using AirbyteOps.Api;
using AirbyteOps.Docker;

namespace AirbyteOps.Compose;

/// <summary>
/// ComposeUp and WipeVolumes over the real compose CLI, with the waiting and explaining the tutorial leaves
/// to the user: what is up, what failed and why, what will be removed and what will not.
/// </summary>
public static class ComposeProject
{
    private const string ProjectLabel = "com.docker.compose.project";
    private const string ServiceLabel = "com.docker.compose.service";

    public static async Task<ComposeUpResult> UpAsync(DockerEngine engine, ComposeOptions options, Action<string> log, CancellationToken ct = default)
    {
        var file = ComposeFile.Load(options.ComposeFile, options.Project, options.EnvFile);
        using var api = new AirbyteApi(options.ServerUrl, TimeSpan.FromSeconds(3));
        var before = await StatusAsync(engine, file, ct).ConfigureAwait(false);
        if (before.All(s => s.Container is { } c && (c.IsRunning ? c.Health is null or "healthy" : c.ExitCode == 0))
            && before.Any(s => s.Container?.IsRunning == true)
            && await api.IsHealthyAsync(ct).ConfigureAwait(false))
        {
            log($"Compose project '{file.Project}' is already up and the server is healthy; nothing changed.");
            Print(before, log);
            return new ComposeUpResult(AlreadyUp: true, TimeSpan.Zero);
        }

        var cli = await ComposeCli.FindAsync(ct).ConfigureAwait(false);
        log($"Bringing up '{file.Project}' from {file.Path} with {cli.Describe} ...");
        var output = new List<string>();
        var exit = await cli.RunAsync(file, options.EnvFile, ["up", "-d"], line => { output.Add(line); log("  " + line); }, ct).ConfigureAwait(false);
        if (exit != 0)
            throw new ComposeException($"{cli.Describe} up failed (exit {exit}): {ComposeCli.FailureLine(output)}");

        log($"Waiting for every long-running service to be up and {api.BaseUrl}health to say ready (timeout {options.Timeout.TotalSeconds:0} s) ...");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        IReadOnlyList<ServiceStatus> now = before;
        await Readiness.WaitUntilAsync($"compose project '{file.Project}' to be ready", async c =>
        {
            now = await StatusAsync(engine, file, c).ConfigureAwait(false);
            foreach (var s in now)
            {
                if (s.Container is { IsRunning: false, ExitCode: not 0 and not null } dead)
                {
                    var tail = await engine.Containers.LogsAsync(dead.Id, 5, c).ConfigureAwait(false);
                    throw new DockerOpsException($"Service '{s.Service}' ({dead.Name}) exited with code {dead.ExitCode}; its last log lines: {string.Join(" | ", tail)}");
                }
                if (s.Container?.Health == "unhealthy")
                {
                    var tail = await engine.Containers.LogsAsync(s.Container.Id, 5, c).ConfigureAwait(false);
                    throw new DockerOpsException($"Service '{s.Service}' ({s.Container.Name}) is unhealthy; its last log lines: {string.Join(" | ", tail)}");
                }
            }
            var servicesUp = now.All(s => s.Container is { } ct2 && (ct2.IsRunning ? ct2.Health is null or "healthy" : ct2.ExitCode == 0));
            return servicesUp && await api.IsHealthyAsync(c).ConfigureAwait(false);
        }, options.Timeout, TimeSpan.FromMilliseconds(250), ct).ConfigureAwait(false);
        log($"'{file.Project}' is ready after {clock.Elapsed.TotalSeconds:0.0} s; the server's health says ready.");
        Print(now, log);
        return new ComposeUpResult(AlreadyUp: false, clock.Elapsed);
    }

    /// <summary>WipeVolumes: says what `down -v` will remove and what it keeps, then runs it through the compose CLI.</summary>
    public static async Task<WipeResult> WipeAsync(DockerEngine engine, ComposeOptions options, Action<string> log, CancellationToken ct = default)
    {
        var file = ComposeFile.Load(options.ComposeFile, options.Project, options.EnvFile);
        var containers = await engine.Containers.ListAsync([$"{ProjectLabel}={file.Project}"], all: true, ct).ConfigureAwait(false);
        var volumes = new List<string>();
        foreach (var name in file.Volumes.Values)
            if (await engine.Volumes.FindAsync(name, ct).ConfigureAwait(false) is not null) volumes.Add(name);
        var networks = new List<string>();
        foreach (var name in file.Networks)
            if (await engine.Networks.FindAsync(name, ct).ConfigureAwait(false) is not null) networks.Add(name);

        if (containers.Count == 0 && volumes.Count == 0 && networks.Count == 0)
        {
            log($"Compose project '{file.Project}' has no containers, networks or volumes; nothing to remove.");
            return new WipeResult([], [], []);
        }
        log($"Removing compose project '{file.Project}' (like docker-compose down -v):");
        foreach (var c in containers) log($"  container {c.Name} ({c.State})");
        foreach (var n in networks) log($"  network   {n}");
        foreach (var v in volumes) log($"  volume    {v}");
        foreach (var b in file.BindMounts) log($"  keeping bind mount {b} (host folder; down -v never removes it)");

        // A never-started volume-access container left by an interrupted ExportSetup/RestoreSetup (engine stopped,
        // process killed) would hold a volume "in use" and make down -v fail: it is ours, so it goes first.
        foreach (var leftover in await engine.Containers.ListAsync([$"{Labels.Role}=volume-access"], all: true, ct).ConfigureAwait(false))
            if (!leftover.IsRunning && leftover.Mounts.Any(m => m.Name is { } n && volumes.Contains(n)))
            {
                log($"  removing leftover helper container {leftover.Name} (from an interrupted run)");
                await engine.Containers.RemoveAsync(leftover.Id, force: true, ct: ct).ConfigureAwait(false);
            }

        var cli = await ComposeCli.FindAsync(ct).ConfigureAwait(false);
        var output = new List<string>();
        var exit = await cli.RunAsync(file, options.EnvFile, ["down", "-v", "--remove-orphans"], line => { output.Add(line); log("  " + line); }, ct).ConfigureAwait(false);
        if (exit != 0) throw new ComposeException($"{cli.Describe} down -v failed (exit {exit}): {ComposeCli.FailureLine(output)}");
        foreach (var v in volumes)
            if (await engine.Volumes.FindAsync(v, ct).ConfigureAwait(false) is not null)
                throw new DockerOpsException($"Volume '{v}' is still there after down -v: another container uses it (docker ps -a --filter volume={v}).");
        log($"Removed {containers.Count} container(s), {networks.Count} network(s), {volumes.Count} volume(s).");
        return new WipeResult(containers.Select(c => c.Name).ToList(), networks, volumes);
    }

    public static async Task<IReadOnlyList<ServiceStatus>> StatusAsync(DockerEngine engine, ComposeFile file, CancellationToken ct = default)
    {
        var containers = await engine.Containers.ListAsync([$"{ProjectLabel}={file.Project}"], all: true, ct).ConfigureAwait(false);
        return file.Services.Select(s => new ServiceStatus(s.Name,
            containers.FirstOrDefault(c => c.Labels.TryGetValue(ServiceLabel, out var svc) && svc == s.Name))).ToList();
    }

    private static void Print(IReadOnlyList<ServiceStatus> services, Action<string> log)
    {
        foreach (var s in services)
        {
            var c = s.Container;
            var state = c is null ? "missing" : c.IsRunning ? "up" + (c.Health is null ? "" : $" ({c.Health})") : $"exited ({c.ExitCode})";
            log($"  {s.Service,-20} {c?.Name ?? "-",-22} {state,-16} {(c is null ? "" : string.Join(", ", c.Ports))}");
        }
    }
}

public sealed record ServiceStatus(string Service, ContainerInfo? Container);

public sealed record ComposeUpResult(bool AlreadyUp, TimeSpan Took);

public sealed record WipeResult(IReadOnlyList<string> Containers, IReadOnlyList<string> Networks, IReadOnlyList<string> Volumes);
