using AirbyteOps.Docker;

namespace AirbyteOps.Destinations;

/// <summary>LocalData: what the local-file destination wrote, on the host and as a container sees the bind mount (the tutorial's two finds).</summary>
public static class LocalData
{
    public static async Task<IReadOnlyList<string>> ShowAsync(DockerEngine engine, string localRoot, string busyboxImage, Action<string> log, CancellationToken ct = default)
    {
        log("On the host:");
        foreach (var line in LocalRoot.Describe(localRoot)) log("  " + line);
        if (!Directory.Exists(localRoot)) return [];

        log("In a container (busybox, the folder bind-mounted at /local):");
        var seen = new List<string>();
        var exit = await engine.RunAsync(new ContainerSpec($"airbyteops-localdata-{Guid.NewGuid():N}"[..36], busyboxImage)
        {
            Command = ["find", "/local"],
            Mounts = [new VolumeMount(Path.GetFullPath(localRoot), "/local", ReadOnly: true)],
            NetworkMode = "none",
        }, line => { seen.Add(line); log("  " + line); }, TimeSpan.FromSeconds(60), ct).ConfigureAwait(false);
        if (exit != 0) throw new DockerOpsException($"find /local in a busybox container exited with {exit}.");
        return seen;
    }
}
