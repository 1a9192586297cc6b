using System.Text.Json.Nodes;
using AirbyteOps.StandIns.DemoStack.Jobs;
using AirbyteOps.StandIns.DemoStack.Worker;

namespace AirbyteOps.StandIns.DemoStack.Api;

/// <summary>Config files → the API's read shapes of Airbyte 0.7 (WorkspaceRead, SourceRead, DestinationRead, ConnectionRead, JobRead, AttemptRead...).</summary>
public static class ApiShapes
{
    private static readonly string[] WorkspaceFields = ["workspaceId", "customerId", "email", "name", "slug", "initialSetupComplete", "onboardingComplete", "anonymousDataCollection", "news", "securityUpdates"];

    public static JsonObject Workspace(JsonObject config)
    {
        var read = new JsonObject();
        foreach (var field in WorkspaceFields)
            if (config[field] is { } value) read[field] = value.DeepClone();
        read["onboardingComplete"] ??= false; // required in 0.7.1's WorkspaceRead
        return read;
    }

    public static JsonObject SourceDefinition(JsonObject config) => Pick(config, "sourceDefinitionId", "name", "dockerRepository", "dockerImageTag", "documentationUrl");

    public static JsonObject DestinationDefinition(JsonObject config) => Pick(config, "destinationDefinitionId", "name", "dockerRepository", "dockerImageTag", "documentationUrl");

    public static JsonObject Source(JsonObject config, JsonObject? definition) => new()
    {
        ["sourceDefinitionId"] = config["sourceDefinitionId"]?.DeepClone(),
        ["sourceId"] = config["sourceId"]?.DeepClone(),
        ["workspaceId"] = config["workspaceId"]?.DeepClone(),
        // Secrets masked, as the real server did (only the files hold plaintext).
        ["connectionConfiguration"] = Masked(config["configuration"]),
        ["name"] = config["name"]?.DeepClone(),
        ["sourceName"] = definition?["name"]?.DeepClone(),
    };

    public static JsonObject Destination(JsonObject config, JsonObject? definition) => new()
    {
        ["destinationDefinitionId"] = config["destinationDefinitionId"]?.DeepClone(),
        ["destinationId"] = config["destinationId"]?.DeepClone(),
        ["workspaceId"] = config["workspaceId"]?.DeepClone(),
        ["connectionConfiguration"] = Masked(config["configuration"]),
        ["name"] = config["name"]?.DeepClone(),
        ["destinationName"] = definition?["name"]?.DeepClone(),
    };

    public static JsonObject Connection(JsonObject sync, JsonObject? schedule)
    {
        var read = new JsonObject
        {
            ["connectionId"] = sync["connectionId"]?.DeepClone(),
            ["name"] = sync["name"]?.DeepClone() ?? "default",
            ["sourceId"] = sync["sourceId"]?.DeepClone(),
            ["destinationId"] = sync["destinationId"]?.DeepClone(),
            ["syncMode"] = sync["syncMode"]?.DeepClone() ?? "full_refresh",
            ["syncSchema"] = CatalogDocuments.ConfigToApiSchema(sync["schema"] as JsonObject),
            ["status"] = sync["status"]?.DeepClone() ?? "active",
        };
        // 0.7.1's ConnectionSchedule is not nullable: a manual connection has no schedule field.
        if (schedule is not null && schedule["manual"]?.GetValue<bool>() == false && schedule["schedule"] is JsonObject s)
            read["schedule"] = new JsonObject { ["units"] = s["units"]?.DeepClone(), ["timeUnit"] = s["timeUnit"]?.DeepClone() };
        return read;
    }

    /// <summary>JobRead of v0.7.1-alpha: statuses pending|running|failed|completed|cancelled (the jobs table says succeeded).</summary>
    public static JsonObject Job(JobRecord job)
    {
        var read = new JsonObject
        {
            ["id"] = job.Id,
            ["configType"] = job.ConfigType,
            ["configId"] = job.Scope,
            ["createdAt"] = job.CreatedAt.ToUnixTimeSeconds(),
            ["updatedAt"] = job.UpdatedAt.ToUnixTimeSeconds(),
            ["status"] = Status(job.Status),
        };
        if (job.StartedAt is { } started) read["startedAt"] = started.ToUnixTimeSeconds();
        return read;
    }

    /// <summary>A job status as v0.7.1-alpha's API names it.</summary>
    public static string Status(string stored) => stored switch
    {
        JobStatus.Succeeded => "completed",
        JobStatus.Incomplete => JobStatus.Running,
        _ => stored,
    };

    public static JsonObject Attempt(AttemptRecord attempt)
    {
        var summary = attempt.Output?["sync"]?["standardSyncSummary"];
        var read = new JsonObject
        {
            ["id"] = attempt.AttemptNumber,
            ["status"] = attempt.Status,
            ["recordsSynced"] = summary?["recordsSynced"]?.DeepClone() ?? 0,
            ["bytesSynced"] = summary?["bytesSynced"]?.DeepClone() ?? 0,
            ["createdAt"] = attempt.CreatedAt.ToUnixTimeSeconds(),
            ["updatedAt"] = attempt.UpdatedAt.ToUnixTimeSeconds(),
        };
        if (attempt.EndedAt is { } ended) read["endedAt"] = ended.ToUnixTimeSeconds();
        return read;
    }

    /// <summary>
    /// The fields the stand-in's connectors' specs mark <c>airbyte_secret</c> (destination-postgres <c>password</c>;
    /// source-file <c>provider.password</c>, <c>provider.aws_secret_access_key</c>), at any depth, as the real server
    /// masked them in reads.
    /// </summary>
    private static readonly HashSet<string> SecretFields = ["password", "aws_secret_access_key"];

    public const string Mask = "**********";

    public static JsonObject Masked(JsonNode? configuration)
    {
        var copy = configuration?.DeepClone() as JsonObject ?? new JsonObject();
        MaskIn(copy);
        return copy;

        static void MaskIn(JsonObject o)
        {
            foreach (var key in o.Select(p => p.Key).ToList())
                if (SecretFields.Contains(key) && o[key] is JsonValue) o[key] = Mask;
                else if (o[key] is JsonObject inner) MaskIn(inner);
        }
    }

    private static JsonObject Pick(JsonObject config, params string[] fields)
    {
        var read = new JsonObject();
        foreach (var field in fields) read[field] = config[field]?.DeepClone();
        return read;
    }
}
