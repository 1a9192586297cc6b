namespace AirbyteOps.Setups.Manifest;

/// <summary>Where an exported tree was read from.</summary>
public sealed record SetupSource(string Kind, string Name, string ConfigRoot, string? DockerHost, string Machine);
