using System.Text.Json.Nodes;
using AirbyteOps.StandIns.DemoStack.Worker;

namespace AirbyteOps.StandIns.DemoStack.Scheduler;

/// <summary>
/// What a sync job carries in jobs.config, snapshotted when the job is created, in the shape of 0.7.1's JobConfig
/// <c>{configType: "sync", sync: JobSyncConfig}</c>: the SOURCE_CONNECTION, DESTINATION_CONNECTION and STANDARD_SYNC
/// configs as stored (configuration secrets included, as real Airbyte kept them) and both connector images. The
/// configured catalog is derived from the connection's schema when the job runs, as the 0.7 worker did. The optional
/// <c>state</c> is not set: the stand-in scheduler reads the state when it runs the job (see README).
/// </summary>
public sealed record SyncJobConfig(JsonObject SourceConnection, JsonObject DestinationConnection, JsonObject StandardSync, string SourceDockerImage, string DestinationDockerImage)
{
    public string ConnectionId => StandardSync["connectionId"]!.GetValue<string>();

    public JsonObject SourceConfiguration => SourceConnection["configuration"] as JsonObject ?? [];

    public JsonObject DestinationConfiguration => DestinationConnection["configuration"] as JsonObject ?? [];

    /// <summary>The configured AirbyteCatalog (catalog.json) of the connection's schema; its arrays keep the field order jsonb keeps.</summary>
    public JsonObject ConfiguredCatalog => CatalogDocuments.ToConfiguredCatalog(StandardSync["schema"] as JsonObject ?? []);

    public JsonObject ToJson() => new()
    {
        ["configType"] = "sync",
        ["sync"] = new JsonObject
        {
            ["sourceConnection"] = SourceConnection.DeepClone(),
            ["destinationConnection"] = DestinationConnection.DeepClone(),
            ["standardSync"] = StandardSync.DeepClone(),
            ["sourceDockerImage"] = SourceDockerImage,
            ["destinationDockerImage"] = DestinationDockerImage,
        },
    };

    public static SyncJobConfig FromJson(JsonObject config)
    {
        var sync = config["sync"]?.AsObject() ?? throw new InvalidDataException("The job has no sync configuration.");
        return new SyncJobConfig(
            sync["sourceConnection"]?.AsObject() ?? throw new InvalidDataException("The sync job has no sourceConnection (a job of an older demo stack?)."),
            sync["destinationConnection"]?.AsObject() ?? throw new InvalidDataException("The sync job has no destinationConnection."),
            sync["standardSync"]?.AsObject() ?? throw new InvalidDataException("The sync job has no standardSync."),
            sync["sourceDockerImage"]!.GetValue<string>(),
            sync["destinationDockerImage"]!.GetValue<string>());
    }
}
