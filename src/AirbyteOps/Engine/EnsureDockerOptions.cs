using Docker.DotNet.Models;

namespace AirbyteOps.Engine;

/// <summary>What EnsureDocker needs: where to log dockerd and apt-get, how long to wait for the engine.</summary>
public sealed record EnsureDockerOptions(string ArtifactsDirectory, TimeSpan Timeout)
{
    /// <summary>
    /// The engine's answer to a version request already sent (the build sends it in Setup, while Cake starts its task
    /// engine): EnsureDocker takes it instead of sending its first request itself. Null (an engine that did not answer)
    /// or absent: as without it.
    /// </summary>
    public Task<VersionResponse?>? FirstAnswer { get; init; }
}
