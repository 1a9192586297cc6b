using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AirbyteOps.IO;

namespace AirbyteOps.Locks;

/// <summary>Who holds a deployment's lock: the target, the process, the machine, and since when.</summary>
public sealed record LockHolder(string Target, int Pid, string Process, string Host, DateTimeOffset Since)
{
    /// <summary>This process, about to run <paramref name="target"/>.</summary>
    public static LockHolder Me(string target)
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        return new LockHolder(target, Environment.ProcessId, self.ProcessName, Environment.MachineName, DateTimeOffset.UtcNow);
    }

    public string Describe(DateTimeOffset now) =>
        $"{Target} (process {Pid}, {Process}, on {Host}) since {Since:yyyy-MM-dd HH:mm:ss} UTC ({(now - Since).TotalSeconds:0} s ago)";
}

/// <summary>
/// One operation per deployment at a time, across processes on this host: an exclusive lock on a file named after the
/// deployment (its compose project on its engine endpoint) in the temp folder (<c>/tmp</c>). The lock is the OS's
/// (.NET opens with <c>FileShare.None</c>, an exclusive <c>flock</c> on Linux), so a holder that dies releases it with its
/// last file handle, and the next one takes it over; the holder's JSON (target, process, since) sits beside it in
/// <c>&lt;lock&gt;.json</c>, readable while the lock is held, so a waiter can name the holder. A holder that died leaves
/// that JSON behind: the next holder says whose lock it took over.
/// </summary>
public sealed class DeploymentLock : IDisposable
{
    private readonly FileStream _handle;

    private DeploymentLock(FileStream handle, string path)
    {
        _handle = handle;
        Path = path;
    }

    public string Path { get; }
    public string InfoPath => InfoPathOf(Path);

    /// <summary>The lock file of a deployment: the project's name (readable) and a hash of endpoint and project (unique).</summary>
    public static string PathFor(string endpoint, string project, string? directory = null)
    {
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{endpoint}\n{project}")))[..12].ToLowerInvariant();
        var readable = new string(project.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').Take(40).ToArray());
        return System.IO.Path.Combine(directory ?? System.IO.Path.GetTempPath(), $"airbyteops-{readable}-{hash}.lock");
    }

    private static string InfoPathOf(string lockPath) => lockPath + ".json";

    /// <summary>The holder recorded beside the lock, or null (none, or unreadable).</summary>
    public static LockHolder? ReadHolder(string lockPath)
    {
        try
        {
            return JsonSerializer.Deserialize<LockHolder>(File.ReadAllText(InfoPathOf(lockPath)));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Takes the lock, waiting up to <paramref name="timeout"/> while another process holds it (saying once whom it waits
    /// for); then fails with <see cref="DeploymentBusyException"/> naming the holder.
    /// </summary>
    public static async Task<DeploymentLock> AcquireAsync(string path, string deployment, string target, TimeSpan timeout, Action<string> log, CancellationToken ct = default)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var clock = Stopwatch.StartNew();
        var said = false;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (TryOpen(path) is { } handle)
            {
                var previous = ReadHolder(path);
                var holder = LockHolder.Me(target);
                AtomicFile.WriteAllText(InfoPathOf(path), JsonSerializer.Serialize(holder));
                if (previous is not null && previous.Pid != holder.Pid)
                    log($"Took over the lock of deployment {deployment} from {previous.Describe(DateTimeOffset.UtcNow)}, which ended without releasing it (its process died).");
                return new DeploymentLock(handle, path);
            }
            var current = ReadHolder(path);
            if (clock.Elapsed >= timeout)
                throw new DeploymentBusyException(
                    $"Deployment {deployment} is busy: {current?.Describe(DateTimeOffset.UtcNow) ?? "another AirbyteOps process"} holds its lock ({path}); " +
                    $"waited {timeout.TotalSeconds:0} s. Let it finish and run {target} again, or pass a longer --lock-timeout.");
            if (!said)
            {
                log($"Deployment {deployment} is in use by {current?.Describe(DateTimeOffset.UtcNow) ?? "another AirbyteOps process"}; waiting up to {timeout.TotalSeconds:0} s for it to finish...");
                said = true;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(200), ct).ConfigureAwait(false);
        }
    }

    private static FileStream? TryOpen(string path)
    {
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null; // held by another process (a sharing violation)
        }
    }

    /// <summary>Removes the holder's JSON, then releases the lock (the lock file stays: deleting it would race a waiter).</summary>
    public void Dispose()
    {
        try
        {
            File.Delete(InfoPath);
        }
        catch (IOException)
        {
            // The next holder rewrites it anyway.
        }
        _handle.Dispose();
    }
}
