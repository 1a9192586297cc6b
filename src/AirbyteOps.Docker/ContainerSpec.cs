namespace AirbyteOps.Docker;

/// <summary>What to create: a container from an image, with its environment, ports, mounts and labels.</summary>
public sealed record ContainerSpec(string Name, string Image)
{
    public IReadOnlyList<string>? Command { get; init; }
    public IReadOnlyList<string>? Entrypoint { get; init; }
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    /// <summary>Host ports published on one address (127.0.0.1 unless said otherwise) to container ports.</summary>
    public IReadOnlyList<PortMapping> Ports { get; init; } = [];
    /// <summary>Named volumes (or host paths for bind mounts) mounted at container paths.</summary>
    public IReadOnlyList<VolumeMount> Mounts { get; init; } = [];
    public string? WorkingDirectory { get; init; }
    public string? NetworkMode { get; init; }
    public string? User { get; init; }
}

public sealed record PortMapping(int HostPort, int ContainerPort, string HostIp = "127.0.0.1");

public sealed record VolumeMount(string Source, string Target, bool ReadOnly = false)
{
    public bool IsBind => Source.StartsWith('/');
}
