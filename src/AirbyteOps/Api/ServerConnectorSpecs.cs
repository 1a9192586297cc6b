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

    private bool _unreachable, _missSaid;

    public int Found { get; private set; }

    public async Task<IReadOnlyList<byte[]>> FindAsync(ConnectorDefinition definition, CancellationToken ct)
    {
        if (_unreachable) return [];
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
            _unreachable = true;
            log($"The server at {api.BaseUrl} does not answer for connector specs; secret fields are found by their names (and by the specs the tree or --connector-specs hold).");
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
}
