using System.Text.Json.Nodes;
using AirbyteOps.StandIns.DemoStack.Config;

namespace AirbyteOps.StandIns.DemoStack.Api;

/// <summary>
/// Stand-in for the Airbyte 0.7 server API subset the tutorial and our build targets use. Every handler reads the
/// config files afresh; errors come back as {"message": ...} with 400, 404 or 422, as Airbyte's did.
/// </summary>
public static class ServerApi
{
    public static void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context).ConfigureAwait(false);
            }
            catch (ApiException ex)
            {
                context.Response.StatusCode = ex.StatusCode;
                await context.Response.WriteAsJsonAsync(new JsonObject { ["message"] = ex.Message }).ConfigureAwait(false);
            }
            catch (InvalidDataException ex)
            {
                // A config file that is not valid JSON (for example a broken restore): say which one.
                context.Response.StatusCode = 500;
                await context.Response.WriteAsJsonAsync(new JsonObject { ["message"] = ex.Message }).ConfigureAwait(false);
            }
        });

        var api = app.MapGroup("/api/v1");
        // Health as 0.7 defined it: {"db": true} when the default workspace config can be read (and is valid under its schema).
        api.MapGet("health", async (ConfigRepository repo, CancellationToken ct) =>
        {
            bool readable;
            try
            {
                readable = await repo.GetAsync(ConfigType.StandardWorkspace, ConfigType.DefaultWorkspaceId, ct).ConfigureAwait(false) is not null;
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException or ApiException)
            {
                readable = false;
            }
            return Results.Json(new JsonObject { ["db"] = readable });
        });
        WorkspaceEndpoints.Map(api);
        DefinitionEndpoints.Map(api);
        SpecificationEndpoints.Map(api);
        SourceEndpoints.Map(api);
        DestinationEndpoints.Map(api);
        ConnectionEndpoints.Map(api);
        JobEndpoints.Map(api);
    }
}
