using AirbyteOps.Api;
using AirbyteOps.Docker;

namespace AirbyteOps.Compose;

/// <summary>WipeVolumes: says what `down -v` will remove and what it keeps (bind mounts), then runs it through the compose CLI.</summary>
public sealed class WipeVolumesOperation(DockerEngine engine)
{
    public async Task<WipeResult> RunAsync(ComposeOptions options, Action<string> log, CancellationToken ct = default)
    {
        var file = ComposeFile.Load(options.ComposeFile, options.Project, options.EnvFile);
        var containers = await engine.Containers.ListAsync([$"{ComposeProject.ProjectLabel}={file.Project}"], all: true, ct).ConfigureAwait(false);
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

        // A helper container left by a killed ExportSetup/RestoreSetup (its owner process is gone) would hold a volume
        // "in use" and make down -v fail: it is ours, so it goes first. So does a never-started volume-access container
        // without an owner label (from a version before the label, or an engine stopped mid-run).
        await engine.RemoveOrphanedHelpersAsync(volumes, line => log("  " + line), ct).ConfigureAwait(false);
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
}

public sealed record WipeResult(IReadOnlyList<string> Containers, IReadOnlyList<string> Networks, IReadOnlyList<string> Volumes);
