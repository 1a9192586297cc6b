namespace AirbyteOps.Api;

public sealed record SyncResult(long JobId, int Attempt, string Status, long Records, long Bytes)
{
    public override string ToString() => $"job {JobId}, attempt {Attempt}: {Status}, {Records} records, {Bytes} bytes";
}
