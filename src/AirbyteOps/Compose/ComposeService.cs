namespace AirbyteOps.Compose;

/// <summary>One service of a compose file, as far as ComposeUp and WipeVolumes need it.</summary>
public sealed record ComposeService(
    string Name,
    string? ContainerName,
    string? Image,
    bool HasHealthcheck,
    IReadOnlyList<string> NamedVolumes,
    IReadOnlyList<string> BindMounts,
    IReadOnlyList<string> Ports,
    IReadOnlyList<ComposeMount> Mounts)
{
    /// <summary>The service's <c>stop_grace_period</c>: how long a stop waits for a clean exit before it kills (compose's default: 10 s).</summary>
    public TimeSpan StopGracePeriod { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>One mount of a service: a named volume (by its name on the engine) or a host path, and where it appears in the container.</summary>
public sealed record ComposeMount(string Source, string Target, bool Named);
