using AirbyteOps.Docker;

namespace AirbyteOps.Versions;

/// <summary>
/// Which Airbyte a deployment runs: --airbyte-version when given; else the server container's AIRBYTE_VERSION (every
/// release's compose file sets it); else its image's tag (airbyte/server:0.27.3-alpha), unless that says nothing
/// ("latest"). Read from the container's configuration, so a stopped server tells it too.
/// </summary>
public static class AirbyteVersionDetection
{
    public static async Task<DetectedVersion> DetectAsync(DockerEngine engine, string serverContainer, string? parameter, CancellationToken ct = default)
    {
        if (!string.IsNullOrWhiteSpace(parameter)) return new DetectedVersion(parameter.Trim(), "--airbyte-version");
        if (!await engine.PingAsync(ct: ct).ConfigureAwait(false))
            return new DetectedVersion(null, $"the Docker engine at {engine.Endpoint} does not answer");
        var server = await engine.Containers.FindAsync(serverContainer, ct).ConfigureAwait(false);
        if (server is null) return new DetectedVersion(null, $"no container '{serverContainer}'");
        var environment = await engine.ContainerEnvironmentAsync(server.Name, ct).ConfigureAwait(false);
        if (environment is not null && environment.TryGetValue("AIRBYTE_VERSION", out var fromEnvironment) && !string.IsNullOrWhiteSpace(fromEnvironment))
            return new DetectedVersion(fromEnvironment.Trim(), $"AIRBYTE_VERSION of container '{server.Name}'");
        var (_, tag) = ImageOperations.SplitReference(server.Image);
        return tag.TrimStart('v', 'V') is { Length: > 0 } digits && char.IsAsciiDigit(digits[0])
            ? new DetectedVersion(tag, $"the image tag of container '{server.Name}', {server.Image}")
            : new DetectedVersion(null, $"container '{server.Name}' has no AIRBYTE_VERSION and its image '{server.Image}' no version tag");
    }
}
