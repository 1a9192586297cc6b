namespace AirbyteOps.Trees;

/// <summary>
/// The one tar reader: a tar stream (the engine's archive endpoint, or an archive file once decompressed) entry by entry,
/// without buffering content. Headers are parsed by <see cref="TarHeaderReader"/> (PAX records cut by their length, so
/// names holding a newline read back byte for byte). Every entry passes through
/// <see cref="ArchiveEntry.FromHeader"/>, so devices and fifos are refused alike.
/// </summary>
public static class TarTree
{
    /// <summary>Calls <paramref name="onEntry"/> for every entry in order; a file's content is readable only during the call.</summary>
    /// <param name="skipSpecial">Skip devices and fifos instead of refusing them: for readers that only list, never write.</param>
    public static async Task ReadAsync(Stream tar, string where, Func<ArchiveEntry, Stream?, Task> onEntry, bool skipSpecial = false, CancellationToken ct = default)
    {
        // Docker.DotNet's chunked response stream throws EndOfStreamException on some small reads at chunk ends
        // (seen with 4.3.3 when TarReader skips the padding after a short file); large buffered reads avoid it.
        await using var buffered = new BufferedStream(tar, 1 << 16);
        var reader = new TarHeaderReader(buffered);
        while (await reader.NextAsync(ct).ConfigureAwait(false) is { } header)
        {
            if (ArchiveEntry.FromHeader(header, where, skipSpecial) is not { } raw) continue;
            await onEntry(raw, raw.Kind == EntryKind.File ? reader.Data : null).ConfigureAwait(false);
        }
    }

    /// <summary>The content of the stream's first entry when it is a regular file (the archive of one file), else null.</summary>
    public static async Task<byte[]?> ReadFileAsync(Stream tar, string where, CancellationToken ct = default)
    {
        byte[]? content = null;
        var first = true;
        await ReadAsync(tar, where, async (entry, body) =>
        {
            if (first && body is not null)
            {
                using var buffer = new MemoryStream();
                await body.CopyToAsync(buffer, ct).ConfigureAwait(false);
                content = buffer.ToArray();
            }
            first = false;
        }, skipSpecial: true, ct).ConfigureAwait(false);
        return content;
    }

    /// <summary>
    /// The name without its first path component: the engine's archive of a folder names every entry after the folder
    /// ("data/config/x.json" → "config/x.json"). Null for the folder itself ("data", "data/").
    /// </summary>
    public static string? StripFirst(string name)
    {
        var trimmed = name.TrimEnd('/');
        var slash = trimmed.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? null : trimmed[(slash + 1)..];
    }
}
