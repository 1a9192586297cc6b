using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace AirbyteOps.Setups.DbEra;

/// <summary>The ids of what a database-era deployment is configured with: workspaces, sources, destinations, connections (not deleted).</summary>
public sealed record ConfigInventory(
    IReadOnlySet<string> Workspaces, IReadOnlySet<string> Sources, IReadOnlySet<string> Destinations, IReadOnlySet<string> Connections)
{
    public string Counts() => $"{Workspaces.Count} workspace(s), {Sources.Count} source(s), {Destinations.Count} destination(s), {Connections.Count} connection(s)";

    /// <summary>What differs, by kind ("sources: 1 missing (id), 0 extra"); empty when both hold the same ids.</summary>
    public IReadOnlyList<string> Differences(ConfigInventory actual)
    {
        var said = new List<string>();
        void Compare(string kind, IReadOnlySet<string> expected, IReadOnlySet<string> got)
        {
            var missing = expected.Except(got).Order(StringComparer.Ordinal).ToList();
            var extra = got.Except(expected).Order(StringComparer.Ordinal).ToList();
            if (missing.Count + extra.Count > 0)
                said.Add($"{kind}: {expected.Count} expected, {got.Count} answered ({missing.Count} missing{(missing.Count > 0 ? " e.g. " + missing[0] : "")}, {extra.Count} extra{(extra.Count > 0 ? " e.g. " + extra[0] : "")})");
        }
        Compare("workspaces", Workspaces, actual.Workspaces);
        Compare("sources", Sources, actual.Sources);
        Compare("destinations", Destinations, actual.Destinations);
        Compare("connections", Connections, actual.Connections);
        return said;
    }

    /// <summary>The inventory as a database (live or staged) holds it, read with psql.</summary>
    internal static async Task<ConfigInventory> ReadAsync(Database.PostgresShell shell, string database, CancellationToken ct)
    {
        async Task<IReadOnlySet<string>> Ids(string sql) =>
            (await shell.QueryAsync(database, sql, ct).ConfigureAwait(false)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        return new ConfigInventory(
            await Ids("SELECT id FROM workspace WHERE NOT tombstone").ConfigureAwait(false),
            await Ids("SELECT id FROM actor WHERE actor_type = 'source' AND NOT tombstone").ConfigureAwait(false),
            await Ids("SELECT id FROM actor WHERE actor_type = 'destination' AND NOT tombstone").ConfigureAwait(false),
            await Ids("SELECT c.id FROM connection c JOIN actor a ON a.id = c.source_id JOIN workspace w ON w.id = a.workspace_id WHERE c.status <> 'deprecated' AND NOT w.tombstone").ConfigureAwait(false));
    }
}

/// <summary>
/// The configuration API of a database-era server (/api/v1, through airbyte-proxy, with the .env's basic auth when set):
/// health, and the inventory read back by the calls the real API has (workspaces/list, then per workspace sources/list,
/// destinations/list, connections/list).
/// </summary>
public sealed record ConfigApi(Uri BaseUrl, System.Net.NetworkCredential? BasicAuth)
{
    private HttpClient Client()
    {
        var client = new HttpClient { BaseAddress = new Uri(BaseUrl.ToString().TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(30) };
        if (BasicAuth is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{BasicAuth.UserName}:{BasicAuth.Password}")));
        return client;
    }

    public async Task<bool> IsHealthyAsync(CancellationToken ct)
    {
        using var client = Client();
        try
        {
            using var response = await client.GetAsync("health", ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) return false;
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false));
            return body?["available"]?.GetValue<bool>() == true;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return false;
        }
    }

    public async Task<ConfigInventory> ReadInventoryAsync(CancellationToken ct)
    {
        using var client = Client();
        var workspaces = await ListAsync(client, "workspaces/list", new JsonObject(), "workspaces", "workspaceId", ct).ConfigureAwait(false);
        var sources = new HashSet<string>(StringComparer.Ordinal);
        var destinations = new HashSet<string>(StringComparer.Ordinal);
        var connections = new HashSet<string>(StringComparer.Ordinal);
        foreach (var workspace in workspaces)
        {
            sources.UnionWith(await ListAsync(client, "sources/list", new JsonObject { ["workspaceId"] = workspace }, "sources", "sourceId", ct).ConfigureAwait(false));
            destinations.UnionWith(await ListAsync(client, "destinations/list", new JsonObject { ["workspaceId"] = workspace }, "destinations", "destinationId", ct).ConfigureAwait(false));
            connections.UnionWith(await ListAsync(client, "connections/list", new JsonObject { ["workspaceId"] = workspace }, "connections", "connectionId", ct).ConfigureAwait(false));
        }
        return new ConfigInventory(workspaces.ToHashSet(StringComparer.Ordinal), sources, destinations, connections);
    }

    private async Task<List<string>> ListAsync(HttpClient client, string route, JsonObject body, string array, string idField, CancellationToken ct)
    {
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        HttpResponseMessage response;
        try
        {
            response = await client.PostAsync(route, content, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new SetupException($"The server's API at {BaseUrl} did not answer {route} ({ex.Message}).", ex);
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                throw new SetupException($"The server's API at {BaseUrl} answered {route} with HTTP {(int)response.StatusCode}{((int)response.StatusCode == 401 ? " (basic auth: check BASIC_AUTH_USERNAME/PASSWORD in the .env)" : "")}.");
            var items = JsonNode.Parse(text)?[array]?.AsArray() ?? throw new SetupException($"The server's API at {BaseUrl} answered {route} without '{array}'.");
            return items.Select(i => i?[idField]?.GetValue<string>()).OfType<string>().ToList();
        }
    }
}
