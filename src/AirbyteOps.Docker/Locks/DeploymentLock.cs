using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AirbyteOps.IO;

namespace AirbyteOps.Locks;

/// <summary>How a target holds a deployment: alone (it changes the deployment), or beside other readers.</summary>
public enum LockMode
{
    /// <summary>Reads the deployment consistently without changing it: excludes writers, not other readers.</summary>
    Shared,

    /// <summary>Changes the deployment: excludes everyone.</summary>
    Exclusive,
}

/// <summary>Who holds a deployment's lock: the target, how, the process, the machine, and since when.</summary>
public sealed record LockHolder(string Target, int Pid, string Process, string Host, DateTimeOffset Since, LockMode Mode = LockMode.Exclusive)
{
    /// <summary>This process, about to run <paramref name="target"/>.</summary>
    public static LockHolder Me(string target, LockMode mode) =>
        // The program's file name (dotnet), as the process's name says it, without loading System.Diagnostics.Process on the
        // way to a target's first engine call (about 13 ms of a cold start here).
        new(target, Environment.ProcessId, Path.GetFileNameWithoutExtension(Environment.ProcessPath) ?? "unknown", Environment.MachineName, DateTimeOffset.UtcNow, mode);

    /// <summary>
    /// The holder file's text: what <see cref="JsonSerializer"/> writes for this record (and reads back), written with
    /// <see cref="Utf8JsonWriter"/>: the serializer's first use costs about 40 ms of a cold start here, on the way to every
    /// locking target's first engine call.
    /// </summary>
    public string ToJson()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString(nameof(Target), Target);
            writer.WriteNumber(nameof(Pid), Pid);
            writer.WriteString(nameof(Process), Process);
            writer.WriteString(nameof(Host), Host);
            writer.WriteString(nameof(Since), Since);
            writer.WriteNumber(nameof(Mode), (int)Mode);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public string Describe(DateTimeOffset now) =>
        $"{Target} (process {Pid}, {Process}, on {Host}) since {Since:yyyy-MM-dd HH:mm:ss} UTC ({(now - Since).TotalSeconds:0} s ago)";

    /// <summary>
    /// True when the process is known to be gone: it ran on this machine and no process has its id now, or the one that
    /// has it started after the holder took the lock (the id was reused).
    /// </summary>
    public bool ProcessGone()
    {
        if (Host != Environment.MachineName) return false;
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(Pid);
            return process.HasExited || process.StartTime.ToUniversalTime() > Since.UtcDateTime.AddSeconds(1);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return true;
        }
    }
}

/// <summary>
/// One writer or many readers per deployment at a time, across processes on this host: a lock on a file named after the
/// deployment (its compose project on its engine endpoint) in the temp folder (<c>/tmp</c>). The lock is the OS's: .NET
/// opens with <c>FileShare.None</c> for an exclusive <c>flock</c> and, read-only, with <c>FileShare.Read</c> for a shared
/// one, so a holder that dies releases it with its last file handle, and the next one takes it over. Each holder records
/// itself (target, mode, process, since) in its own <c>&lt;lock&gt;.&lt;pid&gt;-&lt;n&gt;.json</c> beside the lock, readable
/// while the lock is held, so a waiter can name every holder. A holder that died leaves its file behind: the next one
/// that can tell it is gone (an exclusive holder: every file left; a reader: files of processes that no longer run)
/// removes it and says whose lock it took over.
/// </summary>
public sealed class DeploymentLock : IDisposable
{
    private static int _sequence;
    private readonly FileStream _handle;

    private DeploymentLock(FileStream handle, string path, string infoPath, LockMode mode)
    {
        _handle = handle;
        Path = path;
        InfoPath = infoPath;
        Mode = mode;
    }

    public string Path { get; }
    public string InfoPath { get; }
    public LockMode Mode { get; }

    /// <summary>The lock file of a deployment: the project's name (readable) and a hash of endpoint and project (unique).</summary>
    public static string PathFor(string endpoint, string project, string? directory = null)
    {
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{endpoint}\n{project}")))[..12].ToLowerInvariant();
        var readable = new string(project.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').Take(40).ToArray());
        return System.IO.Path.Combine(directory ?? System.IO.Path.GetTempPath(), $"airbyteops-{readable}-{hash}.lock");
    }

    /// <summary>The holder files beside a lock (of live holders, and of dead ones not yet cleared).</summary>
    public static IReadOnlyList<string> HolderFiles(string lockPath)
    {
        var directory = System.IO.Path.GetDirectoryName(lockPath)!;
        return Directory.Exists(directory)
            ? Directory.GetFiles(directory, System.IO.Path.GetFileName(lockPath) + ".*.json").Order(StringComparer.Ordinal).ToList()
            : [];
    }

    /// <summary>The holders recorded beside the lock, writers first (unreadable files are left out).</summary>
    public static IReadOnlyList<LockHolder> ReadHolders(string lockPath) =>
        HolderFiles(lockPath).Select(ReadFile).OfType<LockHolder>().OrderByDescending(h => h.Mode).ThenBy(h => h.Since).ToList();

    /// <summary>The first holder recorded beside the lock, or null (none).</summary>
    public static LockHolder? ReadHolder(string lockPath) => ReadHolders(lockPath).FirstOrDefault();

    private static LockHolder? ReadFile(string file)
    {
        try
        {
            return JsonSerializer.Deserialize<LockHolder>(File.ReadAllText(file));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Takes the lock in <paramref name="mode"/>, waiting up to <paramref name="timeout"/> while other processes hold it
    /// in a mode that excludes it (saying once whom it waits for); then fails with <see cref="DeploymentBusyException"/>
    /// naming the holders.
    /// </summary>
    public static async Task<DeploymentLock> AcquireAsync(string path, string deployment, string target, TimeSpan timeout, Action<string> log,
        CancellationToken ct = default, LockMode mode = LockMode.Exclusive)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var clock = Stopwatch.StartNew();
        var said = false;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (TryOpen(path, mode) is { } handle)
            {
                var holder = LockHolder.Me(target, mode);
                TakeOverDead(path, deployment, mode, log);
                var info = $"{path}.{holder.Pid}-{Interlocked.Increment(ref _sequence)}.json";
                AtomicFile.WriteAllText(info, holder.ToJson());
                return new DeploymentLock(handle, path, info, mode);
            }
            var current = Describe(ReadHolders(path).Where(h => mode == LockMode.Exclusive || h.Mode == LockMode.Exclusive).ToList());
            if (clock.Elapsed >= timeout)
                throw new DeploymentBusyException(
                    $"Deployment {deployment} is busy: {current} holds its lock ({path}); " +
                    $"waited {timeout.TotalSeconds:0} s. Let it finish and run {target} again, or pass a longer --lock-timeout.");
            if (!said)
            {
                log($"Deployment {deployment} is in use by {current}; waiting up to {timeout.TotalSeconds:0} s for it to finish...");
                said = true;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(200), ct).ConfigureAwait(false);
        }
    }

    private static string Describe(IReadOnlyList<LockHolder> holders)
    {
        var now = DateTimeOffset.UtcNow;
        return holders.Count == 0 ? "another AirbyteOps process" : string.Join(" and ", holders.Select(h => h.Describe(now)));
    }

    /// <summary>
    /// Clears the files of holders that died: with the lock exclusive, nobody else holds it, so every file left is a dead
    /// one's; shared, a writer's file is (no writer can hold it now) and so is a reader's whose process is gone.
    /// </summary>
    private static void TakeOverDead(string path, string deployment, LockMode mode, Action<string> log)
    {
        foreach (var file in HolderFiles(path))
        {
            var previous = ReadFile(file);
            var dead = mode == LockMode.Exclusive || previous is null || previous.Mode == LockMode.Exclusive || previous.ProcessGone();
            if (!dead) continue;
            try
            {
                File.Delete(file);
            }
            catch (IOException)
            {
                continue; // another reader cleared it first
            }
            if (previous is not null && previous.Pid != Environment.ProcessId)
                log($"Took over the lock of deployment {deployment} from {previous.Describe(DateTimeOffset.UtcNow)}, which ended without releasing it (its process died).");
        }
    }

    private static FileStream? TryOpen(string path, LockMode mode)
    {
        try
        {
            // .NET takes flock(LOCK_EX) for FileShare.None and flock(LOCK_SH) for a read-only open that shares reading.
            return mode == LockMode.Exclusive
                ? new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None)
                : new FileStream(path, FileMode.OpenOrCreate, FileAccess.Read, FileShare.Read);
        }
        catch (IOException)
        {
            return null; // held by another process in a mode that excludes this one (EWOULDBLOCK)
        }
    }

    /// <summary>Removes the holder's file, then releases the lock (the lock file stays: deleting it would race a waiter).</summary>
    public void Dispose()
    {
        try
        {
            File.Delete(InfoPath);
        }
        catch (IOException)
        {
            // A later holder clears it as a dead one's.
        }
        _handle.Dispose();
    }
}
