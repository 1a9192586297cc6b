using System.Text.Json.Nodes;

namespace AirbyteOps.StandIns.DemoStack.Jobs;

/// <summary>One row of the attempts table; AttemptNumber is the API's attempt id and the workspace folder name.</summary>
public sealed record AttemptRecord(long JobId, int AttemptNumber, string LogPath, JsonObject? Output, string Status, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? EndedAt);
