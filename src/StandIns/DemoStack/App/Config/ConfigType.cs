namespace AirbyteOps.StandIns.DemoStack.Config;

/// <summary>The config folders of Airbyte 0.7's file-based config persistence: CONFIG_ROOT/config/&lt;TYPE&gt;/&lt;id&gt;.json.</summary>
public static class ConfigType
{
    public const string StandardWorkspace = "STANDARD_WORKSPACE";
    public const string StandardSourceDefinition = "STANDARD_SOURCE_DEFINITION";
    public const string StandardDestinationDefinition = "STANDARD_DESTINATION_DEFINITION";
    public const string SourceConnection = "SOURCE_CONNECTION";
    public const string DestinationConnection = "DESTINATION_CONNECTION";
    public const string StandardSync = "STANDARD_SYNC";
    public const string StandardSyncSchedule = "STANDARD_SYNC_SCHEDULE";

    /// <summary>The workspace every 0.7 deployment had; the seed writes it and health reads it.</summary>
    public static readonly Guid DefaultWorkspaceId = Guid.Parse("5ae6b09b-fdec-41af-aaf7-7d94cfc33ef6");
}
