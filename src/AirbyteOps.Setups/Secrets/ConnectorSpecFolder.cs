namespace AirbyteOps.Setups.Secrets;

/// <summary>
/// Connector specs on disk, found by the definition's docker repository: <c>&lt;folder&gt;/&lt;connector&gt;/spec.json</c> or
/// <c>&lt;folder&gt;/&lt;release&gt;/&lt;connector&gt;/spec.json</c> (the layout of Airbyte's reference specs, one folder per
/// release), where &lt;connector&gt; is the repository's last part (airbyte/source-postgres → source-postgres). A connector
/// found under several releases gives every one of its specs: the image tag is not in that layout, and hiding a field
/// one release marks secret is harmless where another does not.
/// </summary>
public sealed class ConnectorSpecFolder(string folder)
{
    public const string SpecFileName = "spec.json";

    public string Folder { get; } = Path.GetFullPath(folder);

    public async Task<IReadOnlyList<byte[]>> FindAsync(ConnectorDefinition definition, CancellationToken ct)
    {
        if (definition.DockerRepository is not { Length: > 0 } repository || !Directory.Exists(Folder)) return [];
        var connector = repository[(repository.LastIndexOf('/') + 1)..];
        // A name that could climb out of the folder is not a connector name.
        if (connector.Length == 0 || connector is "." or ".." || connector.IndexOfAny(['\\', '\0']) >= 0) return [];
        var candidates = new List<string> { Path.Combine(Folder, connector, SpecFileName) };
        candidates.AddRange(Directory.GetDirectories(Folder).Order(StringComparer.Ordinal).Select(release => Path.Combine(release, connector, SpecFileName)));
        var specs = new List<byte[]>();
        foreach (var candidate in candidates.Where(File.Exists))
            specs.Add(await File.ReadAllBytesAsync(candidate, ct).ConfigureAwait(false));
        return specs;
    }
}
