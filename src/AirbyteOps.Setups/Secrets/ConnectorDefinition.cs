namespace AirbyteOps.Setups.Secrets;

/// <summary>
/// The connector definition a connection file names (its sourceDefinitionId or destinationDefinitionId), with the image
/// its definition file in the tree gives, when the tree holds that file.
/// </summary>
/// <param name="Kind">"source" or "destination".</param>
public sealed record ConnectorDefinition(string Kind, string DefinitionId, string? DockerRepository, string? DockerImageTag)
{
    /// <summary>"source airbyte/source-postgres:0.1.6 (id ...)", for messages.</summary>
    public override string ToString() =>
        $"{Kind} {DockerRepository ?? "(unknown image)"}{(DockerImageTag is null ? "" : ":" + DockerImageTag)} ({DefinitionId})";
}

/// <summary>
/// The connector specs known for <paramref name="definition"/> (JSON documents holding connectionSpecification, as
/// spec.json files and the API's *_definition_specifications/get answer them); empty when none is known. Several are
/// allowed (e.g. one per Airbyte release): every field any of them marks airbyte_secret is treated as secret.
/// </summary>
public delegate Task<IReadOnlyList<byte[]>> ConnectorSpecLookup(ConnectorDefinition definition, CancellationToken ct);
