namespace AirbyteOps.StandIns.DemoStack.Worker;

/// <summary>
/// A stand-in destination connector: writes one stream's raw records; full refresh replaces what was there, append
/// (an incremental stream) adds to it.
/// </summary>
public interface IStandInDestination
{
    /// <summary>Where the stream goes, for the log (never includes a password).</summary>
    string Describe(string streamName);

    Task WriteStreamAsync(string streamName, IReadOnlyList<RawRecord> records, bool append = false, CancellationToken ct = default);
}
