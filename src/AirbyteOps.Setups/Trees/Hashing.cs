using System.Buffers;
using System.Security.Cryptography;
using AirbyteOps.Progress;

namespace AirbyteOps.Setups.Trees;

/// <summary>Streams a file's content once: hashes it and, when asked, copies it on. Memory does not grow with the file.</summary>
internal static class Hashing
{
    /// <param name="progress">Counts the bytes as they pass, and the file when it is done.</param>
    public static async Task<(string Sha256, long Size)> CopyAsync(Stream source, Stream? destination, CancellationToken ct, ProgressReporter? progress = null)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        long size = 0;
        try
        {
            int read;
            while ((read = await source.ReadAsync(buffer.AsMemory(0, buffer.Length), ct).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                if (destination is not null) await destination.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
                size += read;
                progress?.Add(0, read);
            }
            progress?.Add(1, 0);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return (Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant(), size);
    }
}
