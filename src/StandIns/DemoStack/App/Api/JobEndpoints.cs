using System.Text.Json.Nodes;
using AirbyteOps.StandIns.DemoStack.Jobs;

namespace AirbyteOps.StandIns.DemoStack.Api;

/// <summary>jobs/get {id} → JobInfoRead; jobs/list {configTypes, configId} → {jobs: [JobWithAttemptsRead]}.</summary>
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
            var configId = ApiRequest.RequiredString(body, "configId");
            // 0.7 sent configType; later versions configTypes. Both are accepted.
            var types = body["configTypes"] is JsonArray array ? array.Select(t => t!.GetValue<string>()).ToList()
                : [body["configType"]?.GetValue<string>() ?? "sync"];
            var jobs = new JsonArray();
            foreach (var type in types)
                foreach (var job in await store.ListJobsAsync(type, configId, ct).ConfigureAwait(false))
                    jobs.Add(await JobInfo.ReadWithAttemptsAsync(store, job, ct).ConfigureAwait(false));
            return Results.Json(new JsonObject { ["jobs"] = jobs });
        });
    }
}
