using AirbyteOps.Docker;
using AirbyteOps.Docker.Host;

namespace AirbyteOps.Destinations;

/// <summary>
/// LocalData: what the local-file destination wrote, on the host and as a container sees the bind mount (the tutorial's
/// two finds). The container's view is the folder the engine mounts: on a local engine that mounts this very folder
/// (a running container already bind-mounts it, and the engine's stat of it there is this host's, to the 100 ns) it holds
/// the same entries as the host listing, so no busybox container is started; anywhere else (a remote engine, a VM, another
/// mount namespace) the busybox <c>find</c> shows what the connectors really see.
/// </summary>
public sealed class LocalDataOperation(DockerEngine engine)
{
    /// <summary>Returns what a container sees under the bind mount (<c>/local</c> and below).</summary>
    public async Task<IReadOnlyList<string>> RunAsync(LocalDataOptions options, Action<string> log, CancellationToken ct = default)
    {
        var localRoot = options.LocalRoot;
        log("On the host:");
        foreach (var line in LocalRoot.Describe(localRoot)) log("  " + line);
        if (!Directory.Exists(localRoot)) return [];

        var full = Path.GetFullPath(localRoot).TrimEnd('/');
        if (await SameFolderAsync(full, ct).ConfigureAwait(false) is { } mounted)
        {
            log($"In a container (the folder bind-mounted at /local): the same entries as on the host (container '{mounted.Container}' mounts this very folder at {mounted.Destination}: the engine is local and sees it as this host does), so no busybox container is started.");
            return Directory.EnumerateFileSystemEntries(full, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
                .Select(e => "/local" + e[full.Length..]).Prepend("/local").ToList();
        }

        log("In a container (busybox, the folder bind-mounted at /local):");
        var seen = new List<string>();
        var exit = await engine.RunAsync(new ContainerSpec($"airbyteops-localdata-{Guid.NewGuid():N}"[..36], options.HelperImage)
        {
            Command = ["find", "/local"],
            Mounts = [new VolumeMount(full, "/local", ReadOnly: true)],
            NetworkMode = "none",
        }, line => { seen.Add(line); log("  " + line); }, TimeSpan.FromSeconds(60), ct).ConfigureAwait(false);
        if (exit != 0) throw new DockerOpsException($"find /local in a busybox container ({options.HelperImage}) exited with {exit}.");
        return seen;
    }

    /// <summary>
    /// A running container that bind-mounts <paramref name="folder"/> and sees it as this host does (a local engine on
    /// Linux over its unix socket, and the engine's stat of the mount point equal to this host's stat of the folder), or null.
    /// </summary>
    private async Task<(string Container, string Destination)?> SameFolderAsync(string folder, CancellationToken ct)
    {
        if (!OperatingSystem.IsLinux() || !string.Equals(engine.Endpoint.Scheme, "unix", StringComparison.OrdinalIgnoreCase)) return null;
        UnixStat host;
        try { host = UnixFiles.LStat(folder); }
        catch (IOException) { return null; }
        foreach (var (container, destination) in await engine.Containers.RunningWithBindAsync(folder, ct).ConfigureAwait(false))
        {
            if (HostVolume.SameDirectory(await engine.Containers.StatAsync(container, destination, ct).ConfigureAwait(false), host))
                return (container, destination);
        }
        return null;
    }
}

/// <summary>The local-file destination folder on the host, and the busybox image that looks at it from inside a container.</summary>
public sealed record LocalDataOptions(string LocalRoot, string HelperImage);
