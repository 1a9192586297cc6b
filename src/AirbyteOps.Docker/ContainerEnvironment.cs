namespace AirbyteOps.Docker;

/// <summary>A container's configured environment (from its inspect data), e.g. to read AIRBYTE_VERSION off the server.</summary>
public static class ContainerEnvironment
{
    /// <summary>The container's environment variables, or null when there is no such container.</summary>
    public static async Task<IReadOnlyDictionary<string, string>?> ContainerEnvironmentAsync(this DockerEngine engine, string name, CancellationToken ct = default)
    {
        if (await engine.Containers.FindAsync(name, ct).ConfigureAwait(false) is null) return null;
        var inspect = await engine.GuardAsync($"container '{name}'", () => engine.Client.Containers.InspectContainerAsync(name, ct)).ConfigureAwait(false);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in inspect.Config?.Env ?? [])
        {
            var eq = item.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0) result[item[..eq]] = item[(eq + 1)..];
        }
        return result;
    }
}
