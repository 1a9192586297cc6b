namespace AirbyteOps.Setups.Trees;

/// <summary>Something a tree can be read from, entry by entry, as often as needed (a folder, an archive file).</summary>
internal interface ITreeReader
{
    /// <summary>How the user names it in messages, e.g. "archive 'artifacts/setups/my-setup.tar.gz'".</summary>
    string Description { get; }

    /// <summary>Calls <paramref name="onEntry"/> for every entry in order; file content is readable only during the call.</summary>
    Task ReadAsync(Func<ArchiveEntry, Stream?, Task> onEntry, CancellationToken ct = default);
}
