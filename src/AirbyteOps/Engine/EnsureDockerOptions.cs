namespace AirbyteOps.Engine;

/// <summary>What EnsureDocker needs: where the engine is, where to log dockerd, how long to wait.</summary>
public sealed record EnsureDockerOptions(string? DockerHost, string ArtifactsDirectory, TimeSpan Timeout);
