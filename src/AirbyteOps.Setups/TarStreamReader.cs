using System.Formats.Tar;

namespace AirbyteOps.Setups;

/// <summary>Reads a tar stream (from the engine's archive endpoint or an archive file) entry by entry, without buffering content.</summary>
internal static class TarStreamReader
{
    public static async Task ReadAsync(Stream tar, string where, Func<RawEntry, Stream?, Task> onEntry, CancellationToken ct = default)
    {
        // Docker.DotNet's chunked response stream throws EndOfStreamException on some small reads at chunk ends
        // (seen with 4.3.3 when TarReader skips the padding after a short file); large buffered reads avoid it.
        await using var buffered = new BufferedStream(tar, 1 << 16);
        await using var reader = new TarReader(buffered, leaveOpen: true);
        while (await reader.GetNextEntryAsync(copyData: false, ct).ConfigureAwait(false) is { } entry)
        {
            if (RawEntry.FromTar(entry, where) is not { } raw) continue;
            await onEntry(raw, raw.Kind == EntryKind.File ? entry.DataStream ?? Stream.Null : null).ConfigureAwait(false);
        }
    }
}
