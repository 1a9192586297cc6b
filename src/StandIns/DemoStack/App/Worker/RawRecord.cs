namespace AirbyteOps.StandIns.DemoStack.Worker;

/// <summary>One record as Airbyte 0.7 destinations stored it: an id, when the source emitted it, the record as JSON.</summary>
public sealed record RawRecord(Guid AbId, DateTimeOffset EmittedAt, string Data);
