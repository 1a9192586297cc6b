using System.Text.Json.Nodes;

namespace AirbyteOps.StandIns.DemoStack.Scheduler;

/// <summary>
/// What a sync job carries in jobs.config, snapshotted when the job is created (as real Airbyte did, configuration
/// secrets included): the connection, both images, both configurations and the configured catalog.
/// </summary>
public sealed record SyncJobConfig(string ConnectionId, string SourceDockerImage, string DestinationDockerImage, JsonObject SourceConfiguration, JsonObject DestinationConfiguration, JsonObject ConfiguredCatalog)
{
    public JsonObject ToJson() => new()
    {
        ["configType"] = "sync",
        ["sync"] = new JsonObject
        {
            ["connectionId"] = ConnectionId,
            ["sourceDockerImage"] = SourceDockerImage,
            ["destinationDockerImage"] = DestinationDockerImage,
            ["sourceConfiguration"] = SourceConfiguration.DeepClone(),
            ["destinationConfiguration"] = DestinationConfiguration.DeepClone(),
            // As text: jsonb would sort the schema's properties, and their order is the order of the normalized columns.
            ["catalog"] = ConfiguredCatalog.ToJsonString(),
        },
    };

    public static SyncJobConfig FromJson(JsonObject config)
    {
        var sync = config["sync"]?.AsObject() ?? throw new InvalidDataException("The job has no sync configuration.");
        return new SyncJobConfig(
            sync["connectionId"]!.GetValue<string>(),
            sync["sourceDockerImage"]!.GetValue<string>(),
            sync["destinationDockerImage"]!.GetValue<string>(),
            sync["sourceConfiguration"]!.AsObject(),
            sync["destinationConfiguration"]!.AsObject(),
            sync["catalog"] is JsonValue text ? JsonNode.Parse(text.GetValue<string>())!.AsObject() : sync["catalog"]!.AsObject());
    }
}
