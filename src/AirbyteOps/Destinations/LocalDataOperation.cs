using AirbyteOps.Docker;

namespace AirbyteOps.Destinations;

/// <summary>LocalData: what the local-file destination wrote, on the host and as a container sees the bind mount (the tutorial's two finds).</summary>
public sealed class LocalDataOperation(DockerEngine engine)
{
    /// <summary>Returns what the container saw under the bind mount.</summary>
    public async Task<IReadOnlyList<string>> RunAsync(LocalDataOptions options, Action<string> log, CancellationToken ct = default)
    {
        var localRoot = options.LocalRoot;
        log("On the host:");
        foreach (var line in LocalRoot.Describe(localRoot)) log("  " + line);
        if (!Directory.Exists(localRoot)) return [];

        log("In a container (busybox, the folder bind-mounted at /local):");
        var seen = new List<string>();
        var exit = await engine.RunAsync(new ContainerSpec($"airbyteops-localdata-{Guid.NewGuid():N}"[..36], options.HelperImage)
        {
            Command = ["find", "/local"],
            Mounts = [new VolumeMount(Path.GetFullPath(localRoot), "/local", ReadOnly: true)],
            NetworkMode = "none",
        }, line => { seen.Add(line); log("  " + line); }, TimeSpan.FromSeconds(60), ct).ConfigureAwait(false);
        if (exit != 0) throw new DockerOpsException($"find /local in a busybox container ({options.HelperImage}) exited with {exit}.");
        return seen;
    }
}

/// <summary>The local-file destination folder on the host, and the busybox image that looks at it from inside a container.</summary>
public sealed record LocalDataOptions(string LocalRoot, string HelperImage);
