using System.Text;
using AirbyteOps.Setups.Secrets;

namespace AirbyteOps.Api;

/// <summary>
/// Connector specs from the deployment itself: <c>source_definition_specifications/get {sourceDefinitionId}</c> and
/// <c>destination_definition_specifications/get {destinationDefinitionId}</c>, which every file-era version has (0.7.1
/// on; the real server runs the connector's spec command, hence the long timeout). A server that does not answer is not
/// asked again; a definition it has no spec for is judged by the key rules. Each kind of miss is said once.
/// </summary>
public sealed class ServerConnectorSpecs(AirbyteApi api, Action<string> log)
{
    /// <summary>A real spec call starts the connector's image (and may pull it first).</summary>
    public static readonly TimeSpan SpecTimeout = TimeSpan.FromSeconds(90);

    private readonly Dictionary<(string Kind, string Id), IReadOnlyList<byte[]>> _fetched = [];
    private bool _unreachable, _missSaid, _prefetched, _notPrefetchedSaid;

    public int Found { get; private set; }

    /// <summary>
    /// Fetches, now, the spec of every definition the deployment's sources and destinations use (sources/list and
    /// destinations/list of the default workspace); afterwards <see cref="FindAsync"/> answers from what was fetched and
    /// never calls the server again. ExportSetup calls it before pausing the writers: a paused server does not answer, and
    /// each call would wait out <see cref="SpecTimeout"/> with the writers held.
    /// </summary>
    public async Task PrefetchAsync(CancellationToken ct)
    {
        if (_prefetched || _unreachable) return;
        try
        {
            var workspaceId = await api.DefaultWorkspaceIdAsync(ct).ConfigureAwait(false);
            foreach (var kind in new[] { "source", "destination" })
                foreach (var id in (await api.ListAsync(kind + "s", workspaceId, ct).ConfigureAwait(false))
                         .Select(c => c[kind + "DefinitionId"]?.GetValue<string>()).OfType<string>().Distinct(StringComparer.Ordinal))
                    await FindAsync(new ConnectorDefinition(kind, id, null, null), ct).ConfigureAwait(false);
        }
        catch (AirbyteApiException ex) when (ex.StatusCode is null)
        {
            NotAnswering();
        }
        catch (AirbyteApiException ex)
        {
            log($"Could not list the deployment's sources and destinations to fetch their connector specs ({ex.Message}); secret fields are found by their names (and by the specs the tree or --connector-specs hold).");
        }
        _prefetched = true;
    }

    public async Task<IReadOnlyList<byte[]>> FindAsync(ConnectorDefinition definition, CancellationToken ct)
    {
        if (_fetched.TryGetValue((definition.Kind, definition.DefinitionId), out var known)) return known;
        if (_unreachable) return [];
        if (_prefetched)
        {
            if (!_notPrefetchedSaid)
                log($"{definition} was not in use when the specs were fetched (before the writers were paused); its secret fields are found by their names (and by --connector-specs).");
            _notPrefetchedSaid = true;
            return [];
        }
        var found = await AskAsync(definition, ct).ConfigureAwait(false);
        if (!_unreachable) _fetched[(definition.Kind, definition.DefinitionId)] = found;
        return found;
    }

    private async Task<IReadOnlyList<byte[]>> AskAsync(ConnectorDefinition definition, CancellationToken ct)
    {
        try
        {
            var answer = await api.PostAsync($"{definition.Kind}_definition_specifications/get",
                new Dictionary<string, string> { [$"{definition.Kind}DefinitionId"] = definition.DefinitionId }, ct, SpecTimeout).ConfigureAwait(false);
            if (answer["connectionSpecification"] is null) return [];
            Found++;
            return [Encoding.UTF8.GetBytes(answer.ToJsonString())];
        }
        catch (AirbyteApiException ex) when (ex.StatusCode is null)
        {
            NotAnswering();
            return [];
        }
        catch (AirbyteApiException ex)
        {
            if (!_missSaid)
                log($"The server has no spec for {definition} ({ex.Message}); its secret fields are found by their names (and by --connector-specs).");
            _missSaid = true;
            return [];
        }
    }

    private void NotAnswering()
    {
        _unreachable = true;
        log($"The server at {api.BaseUrl} does not answer for connector specs; secret fields are found by their names (and by the specs the tree or --connector-specs hold).");
    }
}
