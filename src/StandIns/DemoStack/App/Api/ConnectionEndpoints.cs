using System.Text.Json.Nodes;
using AirbyteOps.StandIns.DemoStack.Config;
using AirbyteOps.StandIns.DemoStack.Hosting;
using AirbyteOps.StandIns.DemoStack.Jobs;
using AirbyteOps.StandIns.DemoStack.Scheduler;
using AirbyteOps.StandIns.DemoStack.Worker;

namespace AirbyteOps.StandIns.DemoStack.Api;

/// <summary>connections/create|list|get|sync, stored as STANDARD_SYNC and STANDARD_SYNC_SCHEDULE files.</summary>
public static class ConnectionEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("connections/create", async (HttpRequest request, ConfigRepository repo, CancellationToken ct) =>
        {
            var body = await ApiRequest.BodyAsync(request, ct).ConfigureAwait(false);
            var sourceId = ApiRequest.RequiredId(body, "sourceId");
            var destinationId = ApiRequest.RequiredId(body, "destinationId");
            var source = await SourceEndpoints.GetAsync(repo, sourceId, ct).ConfigureAwait(false);
            _ = await DestinationEndpoints.GetAsync(repo, destinationId, ct).ConfigureAwait(false);
            var status = body["status"]?.GetValue<string>() ?? "active";
            if (status is not ("active" or "inactive" or "deprecated")) throw ApiException.Invalid($"status must be active, inactive or deprecated, not '{status}'.");
            // Without a syncSchema the stand-in selects everything the source offers (real clients always sent one).
            var syncSchema = body["syncSchema"] as JsonObject ?? await DiscoverAsync(repo, source, ct).ConfigureAwait(false);
            // 0.7.1's SyncMode enum: full_refresh | incremental (required by the real API; the stand-in defaults it).
            var syncMode = body["syncMode"]?.GetValue<string>() ?? "full_refresh";
            if (syncMode is not ("full_refresh" or "incremental")) throw ApiException.Invalid($"syncMode must be full_refresh or incremental, not '{syncMode}'.");
            var id = Guid.NewGuid();
            var sync = new JsonObject
            {
                ["connectionId"] = id.ToString(),
                ["sourceId"] = sourceId.ToString(),
                ["destinationId"] = destinationId.ToString(),
                ["name"] = body["name"]?.GetValue<string>() ?? "default",
                ["syncMode"] = syncMode,
                ["schema"] = CatalogDocuments.ApiToConfigSchema(syncSchema, syncMode),
                ["status"] = status,
            };
            var schedule = new JsonObject { ["connectionId"] = id.ToString(), ["manual"] = true };
            if (body["schedule"] is JsonObject requested)
            {
                schedule["manual"] = false;
                schedule["schedule"] = new JsonObject { ["timeUnit"] = requested["timeUnit"]?.DeepClone(), ["units"] = requested["units"]?.DeepClone() };
            }
            await repo.WriteAsync(ConfigType.StandardSync, id, sync, ct).ConfigureAwait(false);
            await repo.WriteAsync(ConfigType.StandardSyncSchedule, id, schedule, ct).ConfigureAwait(false);
            return Results.Json(ApiShapes.Connection(sync, schedule));
        });

        api.MapPost("connections/list", async (HttpRequest request, ConfigRepository repo, CancellationToken ct) =>
        {
            var body = await ApiRequest.BodyAsync(request, ct).ConfigureAwait(false);
            var workspaceId = ApiRequest.RequiredId(body, "workspaceId").ToString();
            var list = new JsonArray();
            foreach (var sync in await repo.ListAsync(ConfigType.StandardSync, ct).ConfigureAwait(false))
            {
                if (sync["status"]?.GetValue<string>() == "deprecated") continue;
                // A connection belongs to the workspace of its source, as in real Airbyte.
                if (!Guid.TryParse(sync["sourceId"]?.GetValue<string>(), out var sourceId)) continue;
                var source = await repo.GetAsync(ConfigType.SourceConnection, sourceId, ct).ConfigureAwait(false);
                if (source?["workspaceId"]?.GetValue<string>() != workspaceId) continue;
                list.Add(ApiShapes.Connection(sync, await ScheduleAsync(repo, sync, ct).ConfigureAwait(false)));
            }
            return Results.Json(new JsonObject { ["connections"] = list });
        });

        api.MapPost("connections/get", async (HttpRequest request, ConfigRepository repo, CancellationToken ct) =>
        {
            var body = await ApiRequest.BodyAsync(request, ct).ConfigureAwait(false);
            var sync = await GetAsync(repo, ApiRequest.RequiredId(body, "connectionId"), ct).ConfigureAwait(false);
            return Results.Json(ApiShapes.Connection(sync, await ScheduleAsync(repo, sync, ct).ConfigureAwait(false)));
        });

        api.MapPost("connections/sync", async (HttpRequest request, ConfigRepository repo, IJobStore store, StandInSettings settings, CancellationToken ct) =>
        {
            var body = await ApiRequest.BodyAsync(request, ct).ConfigureAwait(false);
            var connectionId = ApiRequest.RequiredId(body, "connectionId");
            var config = await BuildJobConfigAsync(repo, await GetAsync(repo, connectionId, ct).ConfigureAwait(false), ct).ConfigureAwait(false);
            var job = await store.CreateOrGetActiveSyncJobAsync(connectionId.ToString(), config.ToJson(), ct).ConfigureAwait(false);
            // Real 0.7.1 answered JobStatusRead {status: succeeded|failed} once the job ended (it polled up to 120 times,
            // once a second); a job still running after the wait is not succeeded, so it answers failed, as 0.7.1's enum allows.
            var deadline = DateTimeOffset.UtcNow + settings.SyncWait;
            while (!JobStatus.IsTerminal(job.Status) && DateTimeOffset.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), ct).ConfigureAwait(false);
                job = await store.GetJobAsync(job.Id, ct).ConfigureAwait(false) ?? job;
            }
            return Results.Json(new JsonObject { ["status"] = job.Status == JobStatus.Succeeded ? "succeeded" : "failed" });
        });
    }

    /// <summary>Snapshots everything the sync needs, as the 0.7 server put it into the job's config.</summary>
    public static async Task<SyncJobConfig> BuildJobConfigAsync(ConfigRepository repo, JsonObject sync, CancellationToken ct)
    {
        var source = await SourceEndpoints.GetAsync(repo, Guid.Parse(sync["sourceId"]!.GetValue<string>()), ct).ConfigureAwait(false);
        var destination = await DestinationEndpoints.GetAsync(repo, Guid.Parse(sync["destinationId"]!.GetValue<string>()), ct).ConfigureAwait(false);
        var sourceDefinition = await SourceEndpoints.DefinitionAsync(repo, source, ct).ConfigureAwait(false)
            ?? throw ApiException.NotFound(ConfigType.StandardSourceDefinition, source["sourceDefinitionId"]?.ToString() ?? "");
        var destinationDefinition = await DestinationEndpoints.DefinitionAsync(repo, destination, ct).ConfigureAwait(false)
            ?? throw ApiException.NotFound(ConfigType.StandardDestinationDefinition, destination["destinationDefinitionId"]?.ToString() ?? "");
        // JobSyncConfig of 0.7.1: the source and destination configs and the connection as stored (secrets included).
        return new SyncJobConfig(source.DeepClone().AsObject(), destination.DeepClone().AsObject(), sync.DeepClone().AsObject(), Image(sourceDefinition), Image(destinationDefinition));

        static string Image(JsonObject definition) => $"{definition["dockerRepository"]}:{definition["dockerImageTag"]}";
    }

    private static async Task<JsonObject> DiscoverAsync(ConfigRepository repo, JsonObject source, CancellationToken ct)
    {
        var definition = await SourceEndpoints.DefinitionAsync(repo, source, ct).ConfigureAwait(false);
        try
        {
            return CatalogDocuments.ToSourceSchema(StandInConnectors.Discover(definition?["dockerRepository"]?.GetValue<string>() ?? "", source["configuration"] as JsonObject ?? []));
        }
        catch (NotSupportedException ex)
        {
            throw ApiException.Invalid($"No syncSchema given and none can be discovered: {ex.Message}");
        }
    }

    private static async Task<JsonObject> GetAsync(ConfigRepository repo, Guid id, CancellationToken ct) =>
        await repo.GetAsync(ConfigType.StandardSync, id, ct).ConfigureAwait(false)
        ?? throw ApiException.NotFound(ConfigType.StandardSync, id.ToString());

    private static async Task<JsonObject?> ScheduleAsync(ConfigRepository repo, JsonObject sync, CancellationToken ct) =>
        Guid.TryParse(sync["connectionId"]?.GetValue<string>(), out var id)
            ? await repo.GetAsync(ConfigType.StandardSyncSchedule, id, ct).ConfigureAwait(false)
            : null;
}
