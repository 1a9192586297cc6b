using System.Text.Json.Nodes;
using AirbyteOps.StandIns.DemoStack.Jobs;
using AirbyteOps.StandIns.DemoStack.Worker;

namespace AirbyteOps.StandIns.DemoStack.Api;

/// <summary>Config files → the API's read shapes of Airbyte 0.7 (WorkspaceRead, SourceRead, DestinationRead, ConnectionRead, JobRead, AttemptRead...).</summary>
public static class ApiShapes
{
    private static readonly string[] WorkspaceFields = ["workspaceId", "customerId", "email", "name", "slug", "initialSetupComplete", "anonymousDataCollection", "news", "securityUpdates"];

    public static JsonObject Workspace(JsonObject config)
    {
        var read = new JsonObject();
        foreach (var field in WorkspaceFields)
            if (config[field] is { } value) read[field] = value.DeepClone();
        return read;
    }

    public static JsonObject SourceDefinition(JsonObject config) => Pick(config, "sourceDefinitionId", "name", "dockerRepository", "dockerImageTag", "documentationUrl");

    public static JsonObject DestinationDefinition(JsonObject config) => Pick(config, "destinationDefinitionId", "name", "dockerRepository", "dockerImageTag", "documentationUrl");

    public static JsonObject Source(JsonObject config, JsonObject? definition) => new()
    {
        ["sourceDefinitionId"] = config["sourceDefinitionId"]?.DeepClone(),
        ["sourceId"] = config["sourceId"]?.DeepClone(),
        ["workspaceId"] = config["workspaceId"]?.DeepClone(),
        // Plaintext, secrets included: Airbyte 0.7 returned configurations as stored.
        ["connectionConfiguration"] = config["configuration"]?.DeepClone() ?? new JsonObject(),
        ["name"] = config["name"]?.DeepClone(),
        ["sourceName"] = definition?["name"]?.DeepClone(),
    };

    public static JsonObject Destination(JsonObject config, JsonObject? definition) => new()
    {
        ["destinationDefinitionId"] = config["destinationDefinitionId"]?.DeepClone(),
        ["destinationId"] = config["destinationId"]?.DeepClone(),
        ["workspaceId"] = config["workspaceId"]?.DeepClone(),
        ["connectionConfiguration"] = config["configuration"]?.DeepClone() ?? new JsonObject(),
        ["name"] = config["name"]?.DeepClone(),
        ["destinationName"] = definition?["name"]?.DeepClone(),
    };

    public static JsonObject Connection(JsonObject sync, JsonObject? schedule) => new()
    {
        ["connectionId"] = sync["connectionId"]?.DeepClone(),
        ["name"] = sync["name"]?.DeepClone() ?? "default",
        ["sourceId"] = sync["sourceId"]?.DeepClone(),
        ["destinationId"] = sync["destinationId"]?.DeepClone(),
        ["syncSchema"] = CatalogDocuments.ConfigToApiSchema(sync["schema"] as JsonObject),
        ["schedule"] = schedule is null || schedule["manual"]?.GetValue<bool>() != false || schedule["schedule"] is not JsonObject s
            ? null
            : new JsonObject { ["units"] = s["units"]?.DeepClone(), ["timeUnit"] = s["timeUnit"]?.DeepClone() },
        ["status"] = sync["status"]?.DeepClone() ?? "active",
    };

    public static JsonObject Job(JobRecord job) => new()
    {
        ["id"] = job.Id,
        ["configType"] = job.ConfigType,
        ["configId"] = job.Scope,
        ["createdAt"] = job.CreatedAt.ToUnixTimeSeconds(),
        ["updatedAt"] = job.UpdatedAt.ToUnixTimeSeconds(),
        ["status"] = job.Status,
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

    private static JsonObject Pick(JsonObject config, params string[] fields)
    {
        var read = new JsonObject();
        foreach (var field in fields) read[field] = config[field]?.DeepClone();
        return read;
    }
}
