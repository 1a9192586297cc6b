using System.Text.Json.Nodes;

namespace AirbyteOps.StandIns.DemoStack.Worker;

/// <summary>Airbyte's StandardSyncSummary: what the worker logs as "sync summary: {...}" and the attempt keeps as output.</summary>
public sealed record SyncSummary(string Status, long RecordsSynced, long BytesSynced, DateTimeOffset StartTime, DateTimeOffset EndTime)
{
    public const string LogPrefix = "sync summary: ";

    /// <summary>The worker's line that carries the source's state blob (the stand-in of the tap's last STATE message).</summary>
    public const string StateLogPrefix = "sync state: ";

    /// <summary>The state blob from a worker output line, or null when the line is not one.</summary>
    public static JsonObject? TryParseStateLine(string line)
    {
        var at = line.IndexOf(StateLogPrefix, StringComparison.Ordinal);
        if (at < 0) return null;
        try
        {
            return JsonNode.Parse(line[(at + StateLogPrefix.Length)..]) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    public bool Succeeded => Status == "completed";

    public JsonObject ToJson() => new()
    {
        ["status"] = Status,
        ["recordsSynced"] = RecordsSynced,
        ["bytesSynced"] = BytesSynced,
        ["startTime"] = StartTime.ToUnixTimeMilliseconds(),
        ["endTime"] = EndTime.ToUnixTimeMilliseconds(),
    };

    /// <summary>The summary from a worker output line, or null when the line is not one.</summary>
    public static SyncSummary? TryParseLine(string line)
    {
        var at = line.IndexOf(LogPrefix, StringComparison.Ordinal);
        if (at < 0) return null;
        try
        {
            var json = JsonNode.Parse(line[(at + LogPrefix.Length)..])!.AsObject();
            return new SyncSummary(
                json["status"]!.GetValue<string>(),
                json["recordsSynced"]!.GetValue<long>(),
                json["bytesSynced"]!.GetValue<long>(),
                DateTimeOffset.FromUnixTimeMilliseconds(json["startTime"]!.GetValue<long>()),
                DateTimeOffset.FromUnixTimeMilliseconds(json["endTime"]!.GetValue<long>()));
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException or NullReferenceException or FormatException)
        {
            return null;
        }
    }
}
