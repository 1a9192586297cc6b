using AirbyteOps.Api;
using AirbyteOps.Docker;

namespace AirbyteOps.Compose;

/// <summary>
/// ComposeUp over the real compose CLI, with the waiting the tutorial leaves to the user: every long-running
/// service up (passing its healthcheck where it has one), every one-shot service exited 0, the server's health ready;
/// a service that fails is named with its last log lines. The server's health is polled every 100 ms and the services every
/// 400 ms; once the server says ready, a healthcheck the engine has not run yet is run here (docker exec of the same test),
/// so Docker's healthcheck interval does not set the pace.
/// </summary>
public sealed class ComposeUpOperation(DockerEngine engine)
{
    public async Task<ComposeUpResult> RunAsync(ComposeOptions options, Action<string> log, CancellationToken ct = default)
    {
        var file = ComposeFile.Load(options.ComposeFile, options.Project, options.EnvFile);
        using var api = new AirbyteApi(options.ServerUrl, TimeSpan.FromSeconds(3), basicAuth: file.BasicAuth);
        // The image check (options.EnsureImages: the local recipes, which may build) runs while the project's state is read;
        // both are done before anything is decided or started.
        var ensure = options.EnsureImages?.Invoke(ct) ?? Task.CompletedTask;
        IReadOnlyList<ServiceStatus> before;
        bool alreadyUp;
        try
        {
            before = await ComposeProject.StatusAsync(engine, file, ct).ConfigureAwait(false);
            alreadyUp = before.Any(s => s.Container?.IsRunning == true)
                && await ServicesUpAsync(before, ct).ConfigureAwait(false)
                && await api.IsHealthyAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            _ = ensure.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            throw;
        }
        await ensure.ConfigureAwait(false);
        if (alreadyUp)
        {
            log($"Compose project '{file.Project}' is already up and the server is healthy; nothing changed.");
            ComposeProject.Print(before, log);
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
        var tick = 0;
        await Readiness.WaitUntilAsync($"compose project '{file.Project}' to be ready", async c =>
        {
            // The server's health endpoint, every 100 ms, is the cheap question and the one that answers last: asked first.
            // The services (a crash named at once, healthchecks run here instead of at Docker's interval) are read every
            // 4th tick while it is not ready, and on every tick once it is: no docker exec competes with the starting
            // services for the CPU before the answer can be yes.
            var healthy = await api.IsHealthyAsync(c).ConfigureAwait(false);
            if (!healthy && tick++ % 4 != 0) return false;
            now = await ComposeProject.StatusAsync(engine, file, c).ConfigureAwait(false);
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
            return healthy && await ServicesUpAsync(now, c).ConfigureAwait(false);
        }, options.Timeout, TimeSpan.FromMilliseconds(100), ct).ConfigureAwait(false);
        log($"'{file.Project}' is ready after {clock.Elapsed.TotalSeconds:0.0} s; the server's health says ready.");
        ComposeProject.Print(now, log);
        return new ComposeUpResult(AlreadyUp: false, clock.Elapsed);
    }

    /// <summary>
    /// Every long-running service running and healthy, every one-shot exited 0. A healthcheck still "starting" is run
    /// here at once rather than waited for at the engine's interval.
    /// </summary>
    private async Task<bool> ServicesUpAsync(IReadOnlyList<ServiceStatus> services, CancellationToken ct)
    {
        if (services.Any(s => s.Container switch
            {
                null => true,
                { IsRunning: false } exited => exited.ExitCode != 0,
                { Health: "starting" } => false,
                { } running => running.Health is not (null or "healthy"),
            }))
            return false;
        // The healthchecks still "starting" are run side by side: each is a docker exec, and the slowest sets the pace.
        var probes = services.Select(s => s.Container).OfType<ContainerInfo>().Where(c => c is { IsRunning: true, Health: "starting" })
            .Select(c => PassesHealthcheckAsync(c.Id, ct));
        return (await Task.WhenAll(probes).ConfigureAwait(false)).All(passed => passed);
    }

    /// <summary>The container's healthcheck run now; one that cannot run yet (the container restarting, say) is not passing.</summary>
    private async Task<bool> PassesHealthcheckAsync(string container, CancellationToken ct)
    {
        try
        {
            return await engine.Containers.ProbeHealthcheckAsync(container, ct).ConfigureAwait(false) != false;
        }
        catch (DockerOpsException)
        {
            return false;
        }
    }
}

public sealed record ComposeUpResult(bool AlreadyUp, TimeSpan Took);
