using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace AirbyteOps.Tests.Api;

/// <summary>How a version answers connections/sync.</summary>
public enum SyncBehaviour
{
    /// <summary>0.7.1: {status} after the job ended.</summary>
    StatusAfterJob,
    /// <summary>0.7.2–0.10: a JobInfoRead after the job ended, or a 500 when its 120 s poll gave up.</summary>
    BlockingGivesUp,
    /// <summary>0.11 on: a JobInfoRead at once.</summary>
    JobAtOnce,
}

/// <summary>
/// A test double of one Airbyte version's API, as an HttpMessageHandler: it answers in that version's shapes, refuses
/// (422) any request its real spec refuses, and records every exchange so a test can check both sides against the spec.
/// The job's log grows by <see cref="LinesPerPoll"/> lines at each jobs/get and is shown as the version's tail window.
/// </summary>
public sealed class AirbyteDouble(string version, SyncBehaviour behaviour, int logLines = 1500) : HttpMessageHandler
{
    public const string WorkspaceId = "5ae6b09b-fdec-41af-aaf7-7d94cfc33ef6";
    private readonly OpenApiContract _spec = OpenApiContract.For(version);
    private readonly List<JsonObject> _sources = [], _destinations = [], _connections = [];
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously), _gaveUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _shown, _polls;
    private bool _jobCreated;

    public List<(string Route, JsonNode? Request, int Status, JsonNode? Response)> Exchanges { get; } = [];
    public IReadOnlyList<string> Log { get; } = Enumerable.Range(1, logLines).Select(i => $"2021-07-01 10:00:{i % 60:00} INFO line {i} of the sync")
        .Append("2021-07-01 10:01:00 INFO sync summary: {\"status\":\"completed\",\"recordsSynced\":36,\"bytesSynced\":16387}").ToList();
    public int LinesPerPoll { get; init; } = 350;

    /// <summary>
    /// Discovery offers exchange_rate with incremental (default cursor field <c>date</c>) and a second stream,
    /// <c>latest</c>, full_refresh only, as a source with both kinds answers.
    /// </summary>
    public bool OffersIncremental { get; init; }
    private bool Old => version == AirbyteReference.V071;
    private bool Catalog => version is AirbyteReference.V020 or AirbyteReference.V0273;
    private int Window => Old ? 100 : 1000;
    private bool Done => EndsAt is { } end ? end.IsCompleted : _shown >= Log.Count;

    /// <summary>
    /// When set, the job runs until this task completes, however often it is polled, and then ends with its whole log (and
    /// 0.7.1's blocking connections/sync answers then): a job that ends in its own time, not the client's.
    /// </summary>
    public Task? EndsAt { get; init; }

    /// <summary>When set, jobs/list shows the created job only once this task completes (a scheduler that lists it late).</summary>
    public Task? ListedAfter { get; init; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var route = request.RequestUri!.AbsolutePath.Split("/api/v1/")[1];
        var body = request.Content is null ? null : JsonNode.Parse(await request.Content.ReadAsStringAsync(ct));
        if (route == "connections/sync" && behaviour != SyncBehaviour.JobAtOnce)
        {
            // The blocking versions answer when the job ended (or, 0.7.2–0.10, when their poll gave up): meanwhile the
            // client's jobs/get calls move the job on.
            lock (Exchanges) _jobCreated = true;
            await (behaviour == SyncBehaviour.StatusAfterJob ? EndsAt ?? _ended.Task : _gaveUp.Task).WaitAsync(ct);
        }
        var (status, answer) = !_spec.HasRoute(route) ? (404, Message($"no route {route}"))
            : _spec.CheckRequest(route, body) is { Count: > 0 } problems ? (422, Message(string.Join("; ", problems)))
            : Answer(route, body!.AsObject());
        lock (Exchanges) Exchanges.Add((route, body, status, answer));
        return new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent(answer.ToJsonString(), Encoding.UTF8, "application/json") };
    }

    private static JsonObject Message(string text) => new() { ["message"] = text };

    private (int, JsonObject) Answer(string route, JsonObject body) => route switch
    {
        "workspaces/get_by_slug" => (200, new JsonObject { ["workspaceId"] = WorkspaceId, ["customerId"] = Guid.Empty.ToString(), ["name"] = "default", ["slug"] = "default", ["initialSetupComplete"] = true, ["onboardingComplete"] = true }),
        "source_definitions/list" => (200, new JsonObject { ["sourceDefinitions"] = new JsonArray(
            Definition("source", "778daa7c-feaf-4db6-96f3-70fd645acc77", "File", "airbyte/source-file"),
            Old ? Definition("source", "9fed261d-d107-47fd-8c8b-323023db6e20", "exchangeratesapi.io", "airbyte/source-exchangeratesapi-singer")
                : Definition("source", "e2b40e36-aa0e-4bed-b41b-bcea6fa348b1", "Exchange Rates Api", version == AirbyteReference.V0273 ? "airbyte/source-exchange-rates" : "airbyte/source-exchangeratesapi-singer")) }),
        "destination_definitions/list" => (200, new JsonObject { ["destinationDefinitions"] = new JsonArray(
            Definition("destination", "8be1cf83-fde1-477f-a4ad-318d23c9f3c6", "Local CSV", "airbyte/destination-csv"),
            Definition("destination", "25c5221d-dce2-4163-ade9-739ef790f503", "Postgres", "airbyte/destination-postgres")) }),
        "sources/list" => (200, new JsonObject { ["sources"] = new JsonArray(_sources.Select(s => s.DeepClone()).ToArray()) }),
        "destinations/list" => (200, new JsonObject { ["destinations"] = new JsonArray(_destinations.Select(s => s.DeepClone()).ToArray()) }),
        "connections/list" => (200, new JsonObject { ["connections"] = new JsonArray(_connections.Select(s => s.DeepClone()).ToArray()) }),
        "sources/create" => Created(_sources, "source", body),
        "destinations/create" => Created(_destinations, "destination", body),
        "sources/discover_schema" => (200, Discovered()),
        "connections/create" => CreatedConnection(body),
        "connections/sync" => Sync(),
        "jobs/list" => (200, new JsonObject { ["jobs"] = _jobCreated && ListedAfter?.IsCompleted != false ? new JsonArray(Old ? Job() : new JsonObject { ["job"] = Job(), ["attempts"] = new JsonArray() }) : [] }),
        "jobs/get" => (200, Polled()),
        _ => (404, Message($"the double does not answer {route}")),
    };

    private static JsonObject Definition(string kind, string id, string name, string repository) => new()
    {
        [$"{kind}DefinitionId"] = id, ["name"] = name, ["dockerRepository"] = repository, ["dockerImageTag"] = "0.1.0", ["documentationUrl"] = "https://docs.airbyte.io",
    };

    private static (int, JsonObject) Created(List<JsonObject> store, string kind, JsonObject body)
    {
        var read = new JsonObject
        {
            [$"{kind}DefinitionId"] = body[$"{kind}DefinitionId"]!.DeepClone(), [$"{kind}Id"] = Guid.NewGuid().ToString(), ["workspaceId"] = WorkspaceId,
            ["connectionConfiguration"] = body["connectionConfiguration"]!.DeepClone(), ["name"] = body["name"]!.DeepClone(), [$"{kind}Name"] = "a definition",
        };
        store.Add(read);
        return (200, (JsonObject)read.DeepClone());
    }

    private JsonObject Discovered()
    {
        var discovered = Schema();
        if (!Old && !Catalog) discovered["job_info"] = new JsonObject { ["job"] = Job(), ["attempts"] = new JsonArray() }; // 0.12: the discover job
        return discovered;
    }

    private JsonObject Schema() => Catalog
        ? new JsonObject
        {
            ["catalog"] = new JsonObject { ["streams"] = new JsonArray(CatalogStreams().ToArray()) },
            ["jobInfo"] = new JsonObject { ["id"] = Guid.NewGuid().ToString(), ["configType"] = "discover_schema", ["createdAt"] = 1, ["endedAt"] = 2, ["succeeded"] = true, ["logs"] = new JsonObject { ["logLines"] = new JsonArray() } },
        }
        : new JsonObject
        {
            ["schema"] = new JsonObject { ["streams"] = new JsonArray(SchemaStreams().ToArray()) },
        };

    private IEnumerable<JsonNode> CatalogStreams()
    {
        yield return new JsonObject
        {
            ["stream"] = OffersIncremental
                ? new JsonObject { ["name"] = "exchange_rate", ["jsonSchema"] = new JsonObject { ["type"] = "object" }, ["supportedSyncModes"] = new JsonArray("full_refresh", "incremental"), ["sourceDefinedCursor"] = false, ["defaultCursorField"] = new JsonArray("date") }
                : new JsonObject { ["name"] = "exchange_rate", ["jsonSchema"] = new JsonObject { ["type"] = "object" }, ["supportedSyncModes"] = new JsonArray("full_refresh") },
            ["config"] = new JsonObject { ["syncMode"] = "full_refresh", ["destinationSyncMode"] = "append", ["aliasName"] = "exchange_rate", ["selected"] = false },
        };
        if (!OffersIncremental) yield break;
        yield return new JsonObject
        {
            ["stream"] = new JsonObject { ["name"] = "latest", ["jsonSchema"] = new JsonObject { ["type"] = "object" }, ["supportedSyncModes"] = new JsonArray("full_refresh") },
            ["config"] = new JsonObject { ["syncMode"] = "full_refresh", ["destinationSyncMode"] = "append", ["aliasName"] = "latest", ["selected"] = false },
        };
    }

    private IEnumerable<JsonNode> SchemaStreams()
    {
        var rate = new JsonObject
        {
            ["name"] = "exchange_rate", ["cleanedName"] = "exchange_rate", ["supportedSyncModes"] = new JsonArray("full_refresh"),
            ["fields"] = new JsonArray(new JsonObject { ["name"] = "CAD", ["cleanedName"] = "CAD", ["dataType"] = "number", ["selected"] = false }),
        };
        if (!OffersIncremental)
        {
            yield return rate;
            yield break;
        }
        rate["supportedSyncModes"] = new JsonArray("full_refresh", "incremental");
        rate["sourceDefinedCursor"] = false;
        rate["defaultCursorField"] = new JsonArray("date");
        yield return rate;
        yield return new JsonObject
        {
            ["name"] = "latest", ["cleanedName"] = "latest", ["supportedSyncModes"] = new JsonArray("full_refresh"),
            ["fields"] = new JsonArray(new JsonObject { ["name"] = "EUR", ["cleanedName"] = "EUR", ["dataType"] = "number", ["selected"] = false }),
        };
    }

    private (int, JsonObject) CreatedConnection(JsonObject body)
    {
        var read = new JsonObject
        {
            ["connectionId"] = Guid.NewGuid().ToString(), ["name"] = body["name"]!.DeepClone(), ["sourceId"] = body["sourceId"]!.DeepClone(),
            ["destinationId"] = body["destinationId"]!.DeepClone(), ["status"] = "active",
        };
        if (Catalog) read["syncCatalog"] = body["syncCatalog"]?.DeepClone();
        else
        {
            read["syncSchema"] = body["syncSchema"]?.DeepClone();
            if (body["syncMode"] is { } mode) read["syncMode"] = mode.DeepClone();
        }
        _connections.Add(read);
        return (200, (JsonObject)read.DeepClone());
    }

    private (int, JsonObject) Sync()
    {
        _jobCreated = true;
        switch (behaviour)
        {
            case SyncBehaviour.StatusAfterJob:
                return (200, new JsonObject { ["status"] = "succeeded" });
            case SyncBehaviour.BlockingGivesUp:
                return (500, Message("Job did not finish within 120 seconds"));
            default:
                return (200, JobInfo(grow: false));
        }
    }

    private JsonObject Polled()
    {
        lock (Exchanges)
        {
            var info = JobInfo(grow: true);
            if (++_polls >= 2) _gaveUp.TrySetResult();
            if (Done) _ended.TrySetResult();
            return info;
        }
    }

    private JsonObject Job() => new()
    {
        ["id"] = 7, ["configType"] = "sync", ["configId"] = "c", ["createdAt"] = 1, ["updatedAt"] = 2,
        ["status"] = Done ? (Old ? "completed" : "succeeded") : "running",
    };

    private JsonObject JobInfo(bool grow)
    {
        // A job that ends in its own time shows all but its summary line while it runs, and all of it once it ended.
        if (grow && !Done) _shown = Math.Min(EndsAt is null ? Log.Count : Log.Count - 1, _shown + LinesPerPoll);
        if (EndsAt is { IsCompleted: true }) _shown = Log.Count;
        var tail = new JsonObject { ["logLines"] = new JsonArray(Log.Take(_shown).TakeLast(Window).Select(l => JsonValue.Create(l)).ToArray<JsonNode?>()) };
        if (Old) return new JsonObject { ["job"] = Job(), ["logs"] = tail };
        var attempt = new JsonObject { ["id"] = 0, ["status"] = Done ? "succeeded" : "running", ["createdAt"] = 1, ["updatedAt"] = 2, ["recordsSynced"] = Done ? 36 : 0, ["bytesSynced"] = Done ? 16387 : 0 };
        return new JsonObject { ["job"] = Job(), ["attempts"] = new JsonArray(new JsonObject { ["attempt"] = attempt, ["logs"] = tail }) };
    }
}
