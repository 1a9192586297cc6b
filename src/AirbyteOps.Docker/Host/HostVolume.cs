using Docker.DotNet.Models;

namespace AirbyteOps.Docker.Host;

/// <summary>How a volume's files are read and written: chosen per run (Auto), or always through the engine (Engine).</summary>
public enum VolumeAccess
{
    /// <summary>Directly on this host's filesystem when <see cref="HostVolume.LocateAsync"/> proves it can, else through the engine.</summary>
    Auto,
    /// <summary>Always through the engine's archive endpoint and helper containers (the path for a remote or rootless engine).</summary>
    Engine,
}

/// <summary>
/// A named volume read and written where it lives: its Mountpoint on this host. Used only when all of these hold, else
/// the engine's archive endpoint is used: Linux; the engine is reached by a unix socket (a remote DOCKER_HOST's paths are
/// another machine's); the volume uses the "local" driver without options (an NFS or bind volume is mounted only while in
/// use); this process is root (a volume's files belong to any user, and only root reads all of them and gives each its
/// owner back, so rootless engines fall back); the Mountpoint exists here; and it is the engine's very folder: the engine's
/// own stat of the volume's root (through a container that mounts it) has the same mode and modification time, to the
/// 100 ns, as this host's (so a socket forwarded from a VM or another mount namespace, as Docker Desktop does, is caught).
/// </summary>
public sealed record HostVolume(string Volume, string Root)
{
    /// <summary>The full host path of a path relative to the volume's root ("" for the root).</summary>
    public string PathOf(string relative) => relative.Length == 0 ? Root : Path.Combine(Root, relative.TrimStart('/'));

    /// <summary>
    /// The volume on this host, or null with the reason (one clause, for the log line that says which path is taken).
    /// <paramref name="engineStatOfRoot"/> is the engine's stat of the volume's root through a container mounting it.
    /// </summary>
    public static async Task<(HostVolume? Host, string Why)> LocateAsync(DockerEngine engine, string volume, VolumeAccess access,
        Func<CancellationToken, Task<ContainerPathStatResponse?>> engineStatOfRoot, CancellationToken ct)
    {
        if (access == VolumeAccess.Engine) return (null, "--volume-access engine");
        if (!OperatingSystem.IsLinux()) return (null, "not a Linux host");
        if (!string.Equals(engine.Endpoint.Scheme, "unix", StringComparison.OrdinalIgnoreCase)) return (null, $"the engine at {engine.Endpoint} is not local");
        if (!UnixFiles.IsRoot) return (null, "this process is not root (it could not read every file or give each its owner)");
        var inspected = await engine.Volumes.FindAsync(volume, ct).ConfigureAwait(false);
        if (inspected is null) return (null, $"volume '{volume}' does not exist");
        if (inspected.Driver != "local" || inspected.Options is { Count: > 0 }) return (null, $"volume '{volume}' is not a plain local volume (driver {inspected.Driver})");
        var root = inspected.Mountpoint;
        if (string.IsNullOrEmpty(root) || !Directory.Exists(root)) return (null, $"its mountpoint {root} is not on this filesystem");
        var engineStat = await engineStatOfRoot(ct).ConfigureAwait(false);
        UnixStat host;
        try { host = UnixFiles.LStat(root); }
        catch (IOException) { return (null, $"its mountpoint {root} cannot be read here"); }
        if (!SameDirectory(engineStat, host))
            return (null, $"the engine's view of volume '{volume}' differs from {root} here (another machine or mount namespace)");
        return (new HostVolume(volume, root), $"the engine is local and volume '{volume}' is at {root} on this host");
    }

    /// <summary>
    /// True when the engine's stat of a directory (through a container that mounts it) is this host's directory: a directory
    /// here with the same permission bits and the same modification time to the 100 ns. A folder of another machine or
    /// mount namespace (a VM's, a forwarded socket's) has its own modification time.
    /// </summary>
    public static bool SameDirectory(ContainerPathStatResponse? engineStat, UnixStat host) =>
        engineStat is not null && host.Type == UnixStat.Directory
        && ((uint)engineStat.Mode & 0x1FF) == ((uint)host.Mode & 0x1FF)
        && engineStat.Mtime.ToUniversalTime().Ticks == DateTimeOffset.FromUnixTimeSeconds(host.MtimeSeconds).UtcTicks + host.MtimeNanoseconds / 100;
}
