using System.Text.Json.Nodes;
using AirbyteOps.StandIns.DemoStack.Config;

namespace AirbyteOps.StandIns.DemoStack.Api;

/// <summary>destinations/create|list|get, stored as DESTINATION_CONNECTION files with the configuration (password included) in plaintext.</summary>
public static class DestinationEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("destinations/create", async (HttpRequest request, ConfigRepository repo, CancellationToken ct) =>
        {
            var body = await ApiRequest.BodyAsync(request, ct).ConfigureAwait(false);
            var definitionId = ApiRequest.RequiredId(body, "destinationDefinitionId");
            var workspaceId = ApiRequest.RequiredId(body, "workspaceId");
            var configuration = ApiRequest.RequiredObject(body, "connectionConfiguration");
            var name = ApiRequest.RequiredString(body, "name");
            var definition = await repo.GetAsync(ConfigType.StandardDestinationDefinition, definitionId, ct).ConfigureAwait(false)
                ?? throw ApiException.NotFound(ConfigType.StandardDestinationDefinition, definitionId.ToString());
            _ = await repo.GetAsync(ConfigType.StandardWorkspace, workspaceId, ct).ConfigureAwait(false)
                ?? throw ApiException.NotFound(ConfigType.StandardWorkspace, workspaceId.ToString());
            var id = Guid.NewGuid();
            var config = new JsonObject
            {
                ["destinationDefinitionId"] = definitionId.ToString(),
                ["destinationId"] = id.ToString(),
                ["workspaceId"] = workspaceId.ToString(),
                ["name"] = name,
                ["configuration"] = configuration.DeepClone(),
                ["tombstone"] = false,
            };
            await repo.WriteAsync(ConfigType.DestinationConnection, id, config, ct).ConfigureAwait(false);
            return Results.Json(ApiShapes.Destination(config, definition));
        });

        api.MapPost("destinations/list", async (HttpRequest request, ConfigRepository repo, CancellationToken ct) =>
        {
            var body = await ApiRequest.BodyAsync(request, ct).ConfigureAwait(false);
            var workspaceId = ApiRequest.RequiredId(body, "workspaceId").ToString();
            var list = new JsonArray();
            foreach (var destination in await repo.ListAsync(ConfigType.DestinationConnection, ct).ConfigureAwait(false))
            {
                if (destination["workspaceId"]?.GetValue<string>() != workspaceId || destination["tombstone"]?.GetValue<bool>() == true) continue;
                list.Add(ApiShapes.Destination(destination, await DefinitionAsync(repo, destination, ct).ConfigureAwait(false)));
            }
            return Results.Json(new JsonObject { ["destinations"] = list });
        });

        api.MapPost("destinations/get", async (HttpRequest request, ConfigRepository repo, CancellationToken ct) =>
        {
            var body = await ApiRequest.BodyAsync(request, ct).ConfigureAwait(false);
            var destination = await GetAsync(repo, ApiRequest.RequiredId(body, "destinationId"), ct).ConfigureAwait(false);
            return Results.Json(ApiShapes.Destination(destination, await DefinitionAsync(repo, destination, ct).ConfigureAwait(false)));
        });
    }

    public static async Task<JsonObject> GetAsync(ConfigRepository repo, Guid id, CancellationToken ct) =>
        await repo.GetAsync(ConfigType.DestinationConnection, id, ct).ConfigureAwait(false)
        ?? throw ApiException.NotFound(ConfigType.DestinationConnection, id.ToString());

    public static async Task<JsonObject?> DefinitionAsync(ConfigRepository repo, JsonObject destination, CancellationToken ct) =>
        Guid.TryParse(destination["destinationDefinitionId"]?.GetValue<string>(), out var id)
            ? await repo.GetAsync(ConfigType.StandardDestinationDefinition, id, ct).ConfigureAwait(false)
            : null;
}
