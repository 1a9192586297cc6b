using System.Text.Json.Nodes;

namespace AirbyteOps.StandIns.DemoStack.Worker;

/// <summary>A stream a stand-in source can emit: its name, its JSON schema (property order kept) and its records.</summary>
public sealed record StandInStream(string Name, JsonObject JsonSchema, Func<IEnumerable<JsonObject>> ReadRecords)
{
    /// <summary>Property names and JSON types, in schema order (the order normalization columns follow).</summary>
    public IReadOnlyList<(string Name, string Type)> Fields =>
        JsonSchema["properties"]!.AsObject()
            .Select(p => (p.Key, p.Value?["type"] is JsonArray types ? types.Select(t => t!.GetValue<string>()).First(t => t != "null") : p.Value?["type"]?.GetValue<string>() ?? "string"))
            .ToList();
}
