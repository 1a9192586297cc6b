using System.Buffers;
using System.Security.Cryptography;
using AirbyteOps.Progress;

namespace AirbyteOps.Setups.Trees;

/// <summary>Streams a file's content once: hashes it and, when asked, copies it on. Memory does not grow with the file.</summary>
internal static class Hashing
{
    /// <summary>Bytes read at a time by the synchronous copy (one buffer per file in flight, from the shared pool).</summary>
    private const int SyncBuffer = 128 << 10;

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

    /// <summary>
    /// The same copy done synchronously on the calling thread: for files on this host handled several at a time
    /// (<see cref="FilesInFlight"/>), where one thread per file in flight beats an asynchronous stream per file.
    /// </summary>
    public static (string Sha256, long Size) Copy(Stream source, Stream? destination, CancellationToken ct, ProgressReporter? progress = null)
    {
        // One hash object per thread, reused file after file (GetHashAndReset leaves it ready for the next).
        var hash = t_hash ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(SyncBuffer);
        long size = 0;
        try
        {
            int read;
            while ((read = source.Read(buffer, 0, SyncBuffer)) > 0)
            {
                ct.ThrowIfCancellationRequested();
                hash.AppendData(buffer, 0, read);
                destination?.Write(buffer, 0, read);
                size += read;
                progress?.Add(0, read);
            }
            progress?.Add(1, 0);
            return (Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant(), size);
        }
        catch
        {
            // A file left half-hashed must not leak into the next one hashed on this thread.
            t_hash = null;
            hash.Dispose();
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    [ThreadStatic] private static IncrementalHash? t_hash;

    /// <summary>
    /// How many files on this host are read, hashed and written at once: two per core, so one file's hashing overlaps
    /// another's reads and writes. Bounded: memory is this many buffers, whatever the files' sizes.
    /// </summary>
    public static int FilesInFlight => Math.Clamp(Environment.ProcessorCount * 2, 2, 16);

    /// <summary>
    /// <paramref name="items"/> reordered so that files handled at the same time are in different folders where the tree
    /// allows: the first file of each folder (by <paramref name="path"/>, a tree path), then the second of each, and so on;
    /// each folder's files keep their order. For passes that create files: creating one takes its folder's lock in the
    /// kernel, so threads creating files in one folder wait on each other and spin while they wait (10,000 files in five
    /// folders: the restore's staging write spent about a twentieth of the machine's CPU spinning there).
    /// </summary>
    public static List<T> FoldersInTurn<T>(IEnumerable<T> items, Func<T, string> path)
    {
        var folders = items.GroupBy(i => Path.GetDirectoryName(path(i)) ?? "", StringComparer.Ordinal).Select(g => g.ToList()).ToList();
        var result = new List<T>(folders.Sum(f => f.Count));
        // Each round takes one file of every folder that has one left; a folder done is dropped, so the work is the number
        // of files, whatever the tree's shape (many small folders beside one large one).
        for (var k = 0; folders.Count > 0; k++)
        {
            foreach (var folder in folders) result.Add(folder[k]);
            folders.RemoveAll(f => f.Count == k + 1);
        }
        return result;
    }

    /// <summary>
    /// Runs <paramref name="body"/> for each item, <see cref="FilesInFlight"/> at a time, on threads of their own (not the
    /// thread pool: the bodies block in read and write calls, and the pool starts threads beyond one per core only slowly);
    /// each thread takes the next item when it is done with one. The first failure is the one thrown (not an
    /// AggregateException), after every running body has ended; it stops the others before their next item.
    /// </summary>
    public static Task ForEachFileAsync<T>(IEnumerable<T> items, Action<T, CancellationToken> body, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var list = items as IReadOnlyList<T> ?? items.ToList();
        if (list.Count == 0) return Task.CompletedTask;
        var workers = Math.Min(FilesInFlight, list.Count);
        var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var next = -1;
        var running = workers;
        Exception? first = null;
        for (var w = 0; w < workers; w++)
        {
            new Thread(() =>
            {
                try
                {
                    int index;
                    while ((index = Interlocked.Increment(ref next)) < list.Count)
                    {
                        stop.Token.ThrowIfCancellationRequested();
                        body(list[index], stop.Token);
                    }
                }
                catch (Exception ex)
                {
                    Interlocked.CompareExchange(ref first, ex, null);
                    stop.Cancel();
                }
                if (Interlocked.Decrement(ref running) > 0) return;
                stop.Dispose();
                if (first is not null)
                {
                    // A stop caused by the caller's token is reported as its cancellation, whichever body saw it first.
                    if (first is OperationCanceledException && ct.IsCancellationRequested) done.SetCanceled(ct);
                    else done.SetException(first);
                }
                else done.SetResult();
            }) { IsBackground = true, Name = "airbyteops-files" }.Start();
        }
        return done.Task;
    }
}
