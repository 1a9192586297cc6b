using System.Text.Json.Nodes;
using AirbyteOps.StandIns.DemoStack.Config;

namespace AirbyteOps.StandIns.DemoStack.Api;

/// <summary>source_definitions/list and destination_definitions/list: how a client finds the definition ids by name.</summary>
public static class DefinitionEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("source_definitions/list", async (ConfigRepository repo, CancellationToken ct) =>
        {
            var list = new JsonArray();
            foreach (var definition in await repo.ListAsync(ConfigType.StandardSourceDefinition, ct).ConfigureAwait(false))
                list.Add(ApiShapes.SourceDefinition(definition));
            return Results.Json(new JsonObject { ["sourceDefinitions"] = list });
        });

        api.MapPost("destination_definitions/list", async (ConfigRepository repo, CancellationToken ct) =>
        {
            var list = new JsonArray();
            foreach (var definition in await repo.ListAsync(ConfigType.StandardDestinationDefinition, ct).ConfigureAwait(false))
                list.Add(ApiShapes.DestinationDefinition(definition));
            return Results.Json(new JsonObject { ["destinationDefinitions"] = list });
        });
    }
}
