using System.Text.Json.Nodes;
using AirbyteOps.StandIns.DemoStack.Jobs;

namespace AirbyteOps.StandIns.DemoStack.Api;

/// <summary>jobs/get {id} → JobInfoRead {job, logs}; jobs/list {configType, configId} → JobReadList {jobs: [JobRead]} (v0.7.1-alpha).</summary>
public static class JobEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("jobs/get", async (HttpRequest request, IJobStore store, CancellationToken ct) =>
        {
            var body = await ApiRequest.BodyAsync(request, ct).ConfigureAwait(false);
            var id = ApiRequest.RequiredLong(body, "id");
            var job = await store.GetJobAsync(id, ct).ConfigureAwait(false) ?? throw new ApiException(404, $"Could not find job with id: {id}");
            return Results.Json(await JobInfo.ReadAsync(store, job, ct).ConfigureAwait(false));
        });

        api.MapPost("jobs/list", async (HttpRequest request, IJobStore store, CancellationToken ct) =>
        {
            var body = await ApiRequest.BodyAsync(request, ct).ConfigureAwait(false);
            // 0.7.1's JobListRequestBody requires configType (one); configTypes (0.20 on) is refused as the real server did.
            var type = ApiRequest.RequiredString(body, "configType");
            var configId = ApiRequest.RequiredString(body, "configId");
            var jobs = new JsonArray();
            foreach (var job in await store.ListJobsAsync(type, configId, ct).ConfigureAwait(false))
                jobs.Add(ApiShapes.Job(job));
            return Results.Json(new JsonObject { ["jobs"] = jobs });
        });
    }
}
