namespace AirbyteOps.Docker;

/// <summary>What the engine says about one container, in the user's words.</summary>
public sealed record ContainerInfo(
    string Id,
    string Name,
    string Image,
    string ImageId,
    string State,
    string? Health,
    int? ExitCode,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyList<PublishedPort> Ports,
    IReadOnlyList<ContainerMount> Mounts)
{
    /// <summary>When the container last started, as the engine reports it (RFC 3339); null when it never ran.</summary>
    public string? StartedAt { get; init; }
    public bool IsRunning => State == "running";
    public string ShortId => Id.Length > 12 ? Id[..12] : Id;
}

public sealed record PublishedPort(string HostIp, int HostPort, int ContainerPort, string Protocol)
{
    public override string ToString() => $"{HostIp}:{HostPort}->{ContainerPort}/{Protocol}";
}

public sealed record ContainerMount(string Type, string? Name, string Source, string Destination);
