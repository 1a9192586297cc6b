using Docker.DotNet.Models;

namespace AirbyteOps.Docker;

/// <summary>Networks: find, create and remove (compose creates them; WipeVolumes removes them).</summary>
public sealed class NetworkOperations
{
    private readonly DockerEngine _engine;
    internal NetworkOperations(DockerEngine engine) => _engine = engine;

    public async Task<NetworkResponse?> FindAsync(string name, CancellationToken ct = default)
    {
        var list = await _engine.GuardAsync($"network '{name}'", () => _engine.Client.Networks.ListNetworksAsync(new NetworksListParameters
        {
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["name"] = new Dictionary<string, bool> { [name] = true } },
        }, ct)).ConfigureAwait(false);
        return list.FirstOrDefault(n => n.Name == name);
    }

    public Task CreateAsync(string name, IReadOnlyDictionary<string, string>? labels = null, CancellationToken ct = default) =>
        _engine.GuardAsync($"creating network '{name}'", () => _engine.Client.Networks.CreateNetworkAsync(new NetworksCreateParameters
        {
            Name = name,
            Labels = labels is null ? new Dictionary<string, string>() : new Dictionary<string, string>(labels),
        }, ct));

    public async Task RemoveAsync(string name, CancellationToken ct = default)
    {
        if (await FindAsync(name, ct).ConfigureAwait(false) is null) return;
        await _engine.GuardAsync($"removing network '{name}'", () => _engine.Client.Networks.DeleteNetworkAsync(name, ct)).ConfigureAwait(false);
    }
}
