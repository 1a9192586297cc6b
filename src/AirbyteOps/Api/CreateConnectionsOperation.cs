namespace AirbyteOps.Api;

/// <summary>
/// CreateConnections: the tutorial's sources, destinations and connections from the checked-in descriptions file,
/// created through the API idempotently (an existing one of the same name is left as it is).
/// </summary>
public sealed class CreateConnectionsOperation(AirbyteApi api)
{
    public async Task<IReadOnlyList<ConnectionDescription>> RunAsync(CreateConnectionsOptions options, Action<string> log, CancellationToken ct = default)
    {
        var all = ConnectionCatalog.Load(options.DescriptionsFile, options.Variables);
        var wanted = options.Only is null ? all.ToList() : all.Where(c => c.Name == options.Only).ToList();
        if (wanted.Count == 0)
            throw new AirbyteApiException($"No connection '{options.Only}' in {options.DescriptionsFile}; it has: {string.Join(", ", all.Select(c => c.Name))}.");
        await ConnectionCatalog.CreateAsync(api, wanted, options.SyncMode, log, ct).ConfigureAwait(false);
        return wanted;
    }
}

/// <summary>
/// The descriptions file, the one connection to create (null: all of them), where ${NAME} placeholders get their values,
/// and how new connections sync their streams (an existing connection is left as it is, mode included).
/// </summary>
public sealed record CreateConnectionsOptions(string DescriptionsFile, string? Only, Func<string, string?> Variables)
{
    public ConnectionSyncMode SyncMode { get; init; } = ConnectionSyncMode.FullRefresh;
}
