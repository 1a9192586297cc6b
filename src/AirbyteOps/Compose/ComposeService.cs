namespace AirbyteOps.Compose;

/// <summary>One service of a compose file, as far as ComposeUp and WipeVolumes need it.</summary>
public sealed record ComposeService(
    string Name,
    string? ContainerName,
    string? Image,
    bool HasHealthcheck,
    IReadOnlyList<string> NamedVolumes,
    IReadOnlyList<string> BindMounts,
    IReadOnlyList<string> Ports);
