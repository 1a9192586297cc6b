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
                list.Add(ApiShapes.Workspace(workspace));
            return Results.Json(new JsonObject { ["workspaces"] = list });
        });

        // 0.7's way to the default workspace (workspaces/list came in 0.27.1; the stand-in keeps it for older clients).
        api.MapPost("workspaces/get_by_slug", async (HttpRequest request, ConfigRepository repo, CancellationToken ct) =>
        {
            var body = await ApiRequest.BodyAsync(request, ct).ConfigureAwait(false);
            var slug = ApiRequest.RequiredString(body, "slug");
            foreach (var workspace in await repo.ListAsync(ConfigType.StandardWorkspace, ct).ConfigureAwait(false))
                if (workspace["slug"]?.GetValue<string>() == slug) return Results.Json(ApiShapes.Workspace(workspace));
            throw new ApiException(404, $"Could not find workspace with slug: {slug}");
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
            foreach (var field in new[] { "email", "initialSetupComplete", "anonymousDataCollection", "news", "securityUpdates", "onboardingComplete" })
                if (body.ContainsKey(field)) workspace[field] = body[field]?.DeepClone();
            await repo.WriteAsync(ConfigType.StandardWorkspace, id, workspace, ct).ConfigureAwait(false);
            return Results.Json(ApiShapes.Workspace(workspace));
        });
    }

    private static async Task<JsonObject> GetAsync(ConfigRepository repo, Guid id, CancellationToken ct) =>
        await repo.GetAsync(ConfigType.StandardWorkspace, id, ct).ConfigureAwait(false)
        ?? throw ApiException.NotFound(ConfigType.StandardWorkspace, id.ToString());
}
