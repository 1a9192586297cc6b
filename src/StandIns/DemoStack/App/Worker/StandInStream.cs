using System.Text.Json.Nodes;

namespace AirbyteOps.StandIns.DemoStack.Worker;

/// <summary>
/// A stream a stand-in source can emit: its name, its JSON schema (property order kept) and its records. A stream with
/// a <see cref="CursorField"/> also supports incremental sync: the source defines the cursor, and its state blob is
/// <c>{"&lt;StateKey&gt;": "&lt;newest cursor value emitted&gt;"}</c>.
/// </summary>
public sealed record StandInStream(string Name, JsonObject JsonSchema, Func<IEnumerable<JsonObject>> ReadRecords)
{
    /// <summary>The field whose value orders the records (source-defined cursor); null for full refresh only.</summary>
    public string? CursorField { get; init; }

    /// <summary>The key of the source's state blob that holds the cursor value.</summary>
    public string? StateKey { get; init; }

    public bool SupportsIncremental => CursorField is not null && StateKey is not null;

    public IReadOnlyList<string> SupportedSyncModes => SupportsIncremental ? ["full_refresh", "incremental"] : ["full_refresh"];

    /// <summary>Property names and JSON types, in schema order (the order normalization columns follow).</summary>
    public IReadOnlyList<(string Name, string Type)> Fields =>
        JsonSchema["properties"]!.AsObject()
            .Select(p => (p.Key, p.Value?["type"] is JsonArray types ? types.Select(t => t!.GetValue<string>()).First(t => t != "null") : p.Value?["type"]?.GetValue<string>() ?? "string"))
            .ToList();
}
