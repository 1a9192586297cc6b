using System.Text.Json.Nodes;
using AirbyteOps.StandIns.DemoStack.Config;
using AirbyteOps.StandIns.DemoStack.Hosting;
using AirbyteOps.StandIns.DemoStack.Jobs;
using AirbyteOps.StandIns.DemoStack.Scheduler;
using AirbyteOps.StandIns.DemoStack.Worker;

namespace AirbyteOps.StandIns.DemoStack.Api;

/// <summary>sources/create|list|get|discover_schema, stored as SOURCE_CONNECTION files with the configuration in plaintext.</summary>
public static class SourceEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("sources/create", async (HttpRequest request, ConfigRepository repo, CancellationToken ct) =>
        {
            var body = await ApiRequest.BodyAsync(request, ct).ConfigureAwait(false);
            var definitionId = ApiRequest.RequiredId(body, "sourceDefinitionId");
            var workspaceId = ApiRequest.RequiredId(body, "workspaceId");
            var configuration = ApiRequest.RequiredObject(body, "connectionConfiguration");
            var name = ApiRequest.RequiredString(body, "name");
            var definition = await repo.GetAsync(ConfigType.StandardSourceDefinition, definitionId, ct).ConfigureAwait(false)
                ?? throw ApiException.NotFound(ConfigType.StandardSourceDefinition, definitionId.ToString());
            _ = await repo.GetAsync(ConfigType.StandardWorkspace, workspaceId, ct).ConfigureAwait(false)
                ?? throw ApiException.NotFound(ConfigType.StandardWorkspace, workspaceId.ToString());
            var id = Guid.NewGuid();
            var config = new JsonObject
            {
                ["sourceDefinitionId"] = definitionId.ToString(),
                ["sourceId"] = id.ToString(),
                ["workspaceId"] = workspaceId.ToString(),
                ["name"] = name,
                ["configuration"] = configuration.DeepClone(),
                ["tombstone"] = false,
            };
            await repo.WriteAsync(ConfigType.SourceConnection, id, config, ct).ConfigureAwait(false);
            return Results.Json(ApiShapes.Source(config, definition));
        });

        api.MapPost("sources/list", async (HttpRequest request, ConfigRepository repo, CancellationToken ct) =>
        {
            var body = await ApiRequest.BodyAsync(request, ct).ConfigureAwait(false);
            var workspaceId = ApiRequest.RequiredId(body, "workspaceId").ToString();
            var list = new JsonArray();
            foreach (var source in await repo.ListAsync(ConfigType.SourceConnection, ct).ConfigureAwait(false))
            {
                if (source["workspaceId"]?.GetValue<string>() != workspaceId || source["tombstone"]?.GetValue<bool>() == true) continue;
                list.Add(ApiShapes.Source(source, await DefinitionAsync(repo, source, ct).ConfigureAwait(false)));
            }
            return Results.Json(new JsonObject { ["sources"] = list });
        });

        api.MapPost("sources/get", async (HttpRequest request, ConfigRepository repo, CancellationToken ct) =>
        {
            var body = await ApiRequest.BodyAsync(request, ct).ConfigureAwait(false);
            var source = await GetAsync(repo, ApiRequest.RequiredId(body, "sourceId"), ct).ConfigureAwait(false);
            return Results.Json(ApiShapes.Source(source, await DefinitionAsync(repo, source, ct).ConfigureAwait(false)));
        });

        // As the real 0.7.1 server: a discover_schema job of the source (its own job id and workspace folder).
        api.MapPost("sources/discover_schema", async (HttpRequest request, ConfigRepository repo, IJobStore store, StandInSettings settings, CancellationToken ct) =>
        {
            var body = await ApiRequest.BodyAsync(request, ct).ConfigureAwait(false);
            var source = await GetAsync(repo, ApiRequest.RequiredId(body, "sourceId"), ct).ConfigureAwait(false);
            var definition = await DefinitionAsync(repo, source, ct).ConfigureAwait(false)
                ?? throw ApiException.NotFound(ConfigType.StandardSourceDefinition, source["sourceDefinitionId"]?.ToString() ?? "");
            try
            {
                var repository = definition["dockerRepository"]!.GetValue<string>();
                var configuration = source["configuration"] as JsonObject ?? [];
                var streams = await ConnectorJob.RunAsync(store, settings, "discover_schema", source["sourceId"]!.GetValue<string>(),
                    $"{repository}:{definition["dockerImageTag"]}", "discover --config tap_config.json", configuration, log =>
                    {
                        var discovered = StandInConnectors.Discover(repository, configuration);
                        log.Info("DefaultDiscoverCatalogWorker(run)", $"Discovered {discovered.Count} stream(s): {string.Join(", ", discovered.Select(s => s.Name))}");
                        return discovered;
                    }, ct).ConfigureAwait(false);
                return Results.Json(new JsonObject { ["schema"] = CatalogDocuments.ToSourceSchema(streams) });
            }
            catch (NotSupportedException ex)
            {
                throw ApiException.Invalid(ex.Message);
            }
        });
    }

    public static async Task<JsonObject> GetAsync(ConfigRepository repo, Guid id, CancellationToken ct) =>
        await repo.GetAsync(ConfigType.SourceConnection, id, ct).ConfigureAwait(false)
        ?? throw ApiException.NotFound(ConfigType.SourceConnection, id.ToString());

    public static async Task<JsonObject?> DefinitionAsync(ConfigRepository repo, JsonObject source, CancellationToken ct) =>
        Guid.TryParse(source["sourceDefinitionId"]?.GetValue<string>(), out var id)
            ? await repo.GetAsync(ConfigType.StandardSourceDefinition, id, ct).ConfigureAwait(false)
            : null;
}
