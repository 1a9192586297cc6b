using System.Text.Json.Nodes;

namespace AirbyteOps.StandIns.DemoStack.Jobs;

/// <summary>One row of the jobs table. Scope is the connection id for sync jobs.</summary>
public sealed record JobRecord(long Id, string ConfigType, string Scope, JsonObject Config, string Status, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset UpdatedAt);
