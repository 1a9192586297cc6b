using AirbyteOps.Setups.Secrets;

namespace AirbyteOps.Api;

/// <summary>
/// Where ExportSetup finds a connector's spec: the deployment's server first (its own word), then a --connector-specs
/// folder when one is given. Every spec found counts: a field any of them marks airbyte_secret is secret.
/// </summary>
public sealed class ConnectorSpecSources(ServerConnectorSpecs? server, ConnectorSpecFolder? folder)
{
    public async Task<IReadOnlyList<byte[]>> FindAsync(ConnectorDefinition definition, CancellationToken ct)
    {
        var specs = new List<byte[]>();
        if (server is not null) specs.AddRange(await server.FindAsync(definition, ct).ConfigureAwait(false));
        if (folder is not null) specs.AddRange(await folder.FindAsync(definition, ct).ConfigureAwait(false));
        return specs;
    }
}
