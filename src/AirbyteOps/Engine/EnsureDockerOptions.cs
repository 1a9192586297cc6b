namespace AirbyteOps.Engine;

/// <summary>What EnsureDocker needs: where to log dockerd and apt-get, how long to wait for the engine.</summary>
public sealed record EnsureDockerOptions(string ArtifactsDirectory, TimeSpan Timeout);
