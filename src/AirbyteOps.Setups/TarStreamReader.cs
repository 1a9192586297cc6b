using System.Formats.Tar;

namespace AirbyteOps.Setups;

/// <summary>Reads a tar stream (from the engine's archive endpoint or an archive file) entry by entry, without buffering content.</summary>
internal static class TarStreamReader
{
    public static async Task ReadAsync(Stream tar, string where, Func<RawEntry, Stream?, Task> onEntry, CancellationToken ct = default)
    {
        await using var reader = new TarReader(tar, leaveOpen: true);
        while (await reader.GetNextEntryAsync(copyData: false, ct).ConfigureAwait(false) is { } entry)
        {
            if (RawEntry.FromTar(entry, where) is not { } raw) continue;
            await onEntry(raw, raw.Kind == EntryKind.File ? entry.DataStream ?? Stream.Null : null).ConfigureAwait(false);
        }
    }
}
