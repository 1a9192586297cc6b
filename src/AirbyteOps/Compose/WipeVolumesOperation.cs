using System.Diagnostics;
using AirbyteOps.Docker;

namespace AirbyteOps.Compose;

/// <summary>
/// WipeVolumes: says what `down -v` will remove and what it keeps (bind mounts), then does what `docker-compose down -v
/// --remove-orphans` does, through the engine API: every container of the project (by its compose label, orphans and
/// one-off `run` containers included) stopped at once, each with its service's stop_grace_period (SIGTERM, then a kill),
/// then removed with its anonymous volumes; then the project's networks and its named, non-external volumes. No
/// compose process is started (its own start-up cost about as much as the work), and the stops run in parallel.
/// </summary>
public sealed class WipeVolumesOperation(DockerEngine engine)
{
    /// <summary>
    /// What the wipe would remove, as the engine has it now: the compose file's project, its containers, volumes and
    /// networks that exist, and every volume-access helper container. Read only; a run may take it from before (a build
    /// run reads it beside its first engine request) and skips reading it again.
    /// </summary>
    public async Task<WipePlan> LookAsync(ComposeOptions options, CancellationToken ct = default)
    {
        var file = ComposeFile.Load(options.ComposeFile, options.Project, options.EnvFile);
        // The listing's engine calls are independent: all at once.
        var containersTask = engine.Containers.ListAsync([$"{ComposeProject.ProjectLabel}={file.Project}"], all: true, ct);
        var volumesTask = Task.WhenAll(file.Volumes.Values.Distinct().Select(async name => await engine.Volumes.FindAsync(name, ct).ConfigureAwait(false) is null ? null : name));
        var networksTask = Task.WhenAll(file.Networks.Distinct().Select(async name => await engine.Networks.FindAsync(name, ct).ConfigureAwait(false) is null ? null : name));
        var leftoversTask = engine.Containers.ListAsync([$"{Labels.Role}=volume-access"], all: true, ct);
        try
        {
            return new WipePlan(file, await containersTask.ConfigureAwait(false),
                (await volumesTask.ConfigureAwait(false)).OfType<string>().ToList(),
                (await networksTask.ConfigureAwait(false)).OfType<string>().ToList(),
                await leftoversTask.ConfigureAwait(false));
        }
        catch
        {
            _ = containersTask.Observe();
            _ = volumesTask.Observe();
            _ = networksTask.Observe();
            _ = leftoversTask.Observe();
            throw;
        }
    }

    /// <param name="plan">What <see cref="LookAsync"/> found for these options a moment ago; null: looked at now.</param>
    public async Task<WipeResult> RunAsync(ComposeOptions options, Action<string> log, CancellationToken ct = default, WipePlan? plan = null)
    {
        var (file, containers, volumes, networks, helpers) = plan ?? await LookAsync(options, ct).ConfigureAwait(false);

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

        // A helper container left by a killed ExportSetup/RestoreSetup (its owner process is gone) would hold a volume
        // "in use" and make the wipe fail: it is ours, so it goes first. So does a never-started volume-access container
        // without an owner label (from a version before the label, or an engine stopped mid-run); removing one the sweep
        // already removed is a no-op.
        await engine.RemoveOrphanedHelpersAsync(volumes, line => log("  " + line), ct).ConfigureAwait(false);
        var leftovers = helpers
            .Where(l => !l.IsRunning && l.Mounts.Any(m => m.Name is { } n && volumes.Contains(n))).ToList();
        foreach (var leftover in leftovers) log($"  removing leftover helper container {leftover.Name} (from an interrupted run)");
        await Task.WhenAll(leftovers.Select(l => engine.Containers.RemoveAsync(l.Id, force: true, ct: ct))).ConfigureAwait(false);

        var clock = Stopwatch.StartNew();
        var running = containers.Where(c => c.IsRunning || c.State is "paused" or "restarting").ToList();
        if (running.Count > 0)
        {
            var longest = running.Max(c => GraceOf(file, c));
            log($"  stopping {running.Count} running container(s) at once (each gets up to {longest.TotalSeconds:0.#} s to exit cleanly, then is killed) ...");
            await Task.WhenAll(running.Select(c => StopAsync(c, GraceOf(file, c), ct))).ConfigureAwait(false);
        }
        // With its anonymous volumes, as `down -v` removes them; force: one a restart policy brought back is killed.
        await Task.WhenAll(containers.Select(c => engine.Containers.RemoveAsync(c.Id, force: true, removeAnonymousVolumes: true, ct))).ConfigureAwait(false);
        log($"  {containers.Count} container(s) stopped and removed after {clock.Elapsed.TotalSeconds:0.0} s; removing the network(s) and volume(s) ...");

        var failures = new List<string>();
        await Task.WhenAll(
            networks.Select(async n =>
            {
                try { await engine.Networks.RemoveAsync(n, ct).ConfigureAwait(false); }
                catch (DockerOpsException)
                {
                    lock (failures) failures.Add($"Network '{n}' is still there after down -v: another container is connected to it (docker network inspect {n}); disconnect it, then run WipeVolumes again.");
                }
            }).Concat(volumes.Select(async v =>
            {
                try { await engine.Volumes.RemoveAsync(v, ct).ConfigureAwait(false); }
                catch (DockerOpsException)
                {
                    lock (failures) failures.Add($"Volume '{v}' is still there after down -v: another container uses it (docker ps -a --filter volume={v}).");
                }
            }))).ConfigureAwait(false);
        if (failures.Count > 0) throw new DockerOpsException(string.Join(" ", failures.Order(StringComparer.Ordinal)));
        log($"Removed {containers.Count} container(s), {networks.Count} network(s), {volumes.Count} volume(s).");
        return new WipeResult(containers.Select(c => c.Name).ToList(), networks, volumes);
    }

    /// <summary>The stop_grace_period of the container's service (compose's label names it); compose's 10 s for an orphan.</summary>
    private static TimeSpan GraceOf(ComposeFile file, ContainerInfo container) =>
        container.Labels.TryGetValue(ComposeProject.ServiceLabel, out var service) && file.Services.FirstOrDefault(s => s.Name == service) is { } known
            ? known.StopGracePeriod
            : TimeSpan.FromSeconds(10);

    private async Task StopAsync(ContainerInfo container, TimeSpan grace, CancellationToken ct)
    {
        // A paused (frozen) container cannot act on SIGTERM: unpause it first so the stop is a clean exit, not a kill at the deadline.
        if (container.State == "paused") await engine.Containers.UnpauseAsync(container.Id, ct).ConfigureAwait(false);
        try
        {
            await engine.Containers.StopAsync(container.Id, grace, ct).ConfigureAwait(false);
        }
        catch (DockerOpsException)
        {
            // Gone or stopped meanwhile (it exited on its own, or another stop won) is what the stop was for; still running is not.
            if (await engine.Containers.FindAsync(container.Id, ct).ConfigureAwait(false) is { IsRunning: true }) throw;
        }
    }
}

/// <summary>What <see cref="WipeVolumesOperation.LookAsync"/> found: the project's containers, and its volumes and networks that exist.</summary>
public sealed record WipePlan(ComposeFile File, IReadOnlyList<ContainerInfo> Containers, IReadOnlyList<string> Volumes,
    IReadOnlyList<string> Networks, IReadOnlyList<ContainerInfo> Helpers);

public sealed record WipeResult(IReadOnlyList<string> Containers, IReadOnlyList<string> Networks, IReadOnlyList<string> Volumes);
