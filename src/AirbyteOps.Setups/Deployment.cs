using AirbyteOps.Docker;

namespace AirbyteOps.Setups;

/// <summary>
/// The deployment a setup is exported from or restored into: the server container (may be absent or stopped) and the
/// named volume holding CONFIG_ROOT (taken from the server's mount when there is one, else the configured name).
/// </summary>
internal sealed record Deployment(ContainerInfo? Server, string? Volume, string? AirbyteVersion)
{
    public string ConfigRoot { get; init; } = "/data";
    /// <summary>The server's configured environment (DATABASE_DB, DATABASE_USER, AIRBYTE_VERSION, ...), or null without a server.</summary>
    public IReadOnlyDictionary<string, string>? ServerEnvironment { get; init; }

    public bool ServerRunning => Server?.IsRunning == true;

    public static async Task<Deployment> LocateAsync(DockerEngine engine, string serverContainer, string? dataVolume, string configRoot, CancellationToken ct)
    {
        if (!await engine.PingAsync(ct: ct).ConfigureAwait(false))
            throw new DockerOpsException($"The Docker engine at {engine.Endpoint} does not answer; run ./build.sh EnsureDocker to start it.");
        var server = await engine.Containers.FindAsync(serverContainer, ct).ConfigureAwait(false);
        var volumeName = server?.Mounts.FirstOrDefault(m => m.Destination.TrimEnd('/') == configRoot.TrimEnd('/') && m.Type == "volume")?.Name ?? dataVolume;
        var volume = volumeName is null ? null : await engine.Volumes.FindAsync(volumeName, ct).ConfigureAwait(false);
        string? version = null;
        IReadOnlyDictionary<string, string>? environment = null;
        if (server is not null)
        {
            environment = await engine.ContainerEnvironmentAsync(server.Name, ct).ConfigureAwait(false);
            version = Manifest.AirbyteVersion.FromServer(environment, server.Image);
        }
        if (server is null && volume is null)
            throw new DockerOpsException(dataVolume is null
                ? $"There is no server container '{serverContainer}' on the Docker engine at {engine.Endpoint} (and no data volume is named); start Airbyte (./build.sh ComposeUp) or pass --server-container / --data-volume."
                : $"Neither the server container '{serverContainer}' nor the data volume '{dataVolume}' exists on the Docker engine at {engine.Endpoint}; start Airbyte (./build.sh ComposeUp) or pass --server-container / --data-volume.");
        return new Deployment(server, volume is null ? null : volumeName, version) { ConfigRoot = configRoot, ServerEnvironment = environment };
    }
}
