using System.Text.Json.Nodes;
using AirbyteOps.StandIns.DemoStack.Config;

namespace AirbyteOps.StandIns.DemoStack.Api;

/// <summary>workspaces/list, workspaces/get, workspaces/update (the real webapp's onboarding set initialSetupComplete through update).</summary>
public static class WorkspaceEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("workspaces/list", async (ConfigRepository repo, CancellationToken ct) =>
        {
            var list = new JsonArray();
            foreach (var workspace in await repo.ListAsync(ConfigType.StandardWorkspace, ct).ConfigureAwait(false))
                if (workspace["tombstone"]?.GetValue<bool>() != true) list.Add(ApiShapes.Workspace(workspace));
            return Results.Json(new JsonObject { ["workspaces"] = list });
        });

        api.MapPost("workspaces/get", async (HttpRequest request, ConfigRepository repo, CancellationToken ct) =>
        {
            var body = await ApiRequest.BodyAsync(request, ct).ConfigureAwait(false);
            var id = ApiRequest.RequiredId(body, "workspaceId");
            return Results.Json(ApiShapes.Workspace(await GetAsync(repo, id, ct).ConfigureAwait(false)));
        });

        api.MapPost("workspaces/update", async (HttpRequest request, ConfigRepository repo, CancellationToken ct) =>
        {
            var body = await ApiRequest.BodyAsync(request, ct).ConfigureAwait(false);
            var id = ApiRequest.RequiredId(body, "workspaceId");
            var workspace = await GetAsync(repo, id, ct).ConfigureAwait(false);
            foreach (var field in new[] { "email", "initialSetupComplete", "anonymousDataCollection", "news", "securityUpdates", "displaySetupWizard" })
                if (body.ContainsKey(field)) workspace[field] = body[field]?.DeepClone();
            await repo.WriteAsync(ConfigType.StandardWorkspace, id, workspace, ct).ConfigureAwait(false);
            return Results.Json(ApiShapes.Workspace(workspace));
        });
    }

    private static async Task<JsonObject> GetAsync(ConfigRepository repo, Guid id, CancellationToken ct) =>
        await repo.GetAsync(ConfigType.StandardWorkspace, id, ct).ConfigureAwait(false)
        ?? throw ApiException.NotFound(ConfigType.StandardWorkspace, id.ToString());
}
