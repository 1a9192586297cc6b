using System.Globalization;

namespace AirbyteOps.Docker;

/// <summary>
/// Who created a helper container (a one-off run, a volume-access container): the machine, the process id and the
/// process's start time, stored in the container's <see cref="Labels.Owner"/> label (<c>host/pid/start-unix-ms</c>).
/// The container is removed by its creator when it is done; a creator killed with SIGKILL (or a machine that lost power)
/// never gets there, and the container keeps its volumes in use. The owner label lets the next run tell such a leftover
/// from a container another live process is using: it is an orphan when its owner ran on this machine and no process
/// with that id and start time runs now.
/// </summary>
public sealed record HelperOwner(string Host, int Pid, DateTimeOffset Started)
{
    private static readonly Lazy<HelperOwner> Self = new(() =>
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return new HelperOwner(Environment.MachineName, Environment.ProcessId, process.StartTime.ToUniversalTime());
    });

    /// <summary>This process.</summary>
    public static HelperOwner Me => Self.Value;

    public string Label => $"{Host}/{Pid.ToString(CultureInfo.InvariantCulture)}/{Started.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The owner a label names, or null when it is not one (an older container, a hand-made label).</summary>
    public static HelperOwner? Parse(string? label)
    {
        var parts = label?.Split('/');
        if (parts is not { Length: 3 }
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
            return null;
        return new HelperOwner(parts[0], pid, DateTimeOffset.FromUnixTimeMilliseconds(ms));
    }

    /// <summary>
    /// True when the owner is known to be gone: it ran on this machine and no process has its id now, or the one that has
    /// it started at another time (the id was reused). An owner on another machine is never judged gone.
    /// </summary>
    public bool Gone()
    {
        if (Host != Environment.MachineName) return false;
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(Pid);
            // The start time is derived from the boot time and clock ticks: allow for its rounding.
            return process.HasExited || (process.StartTime.ToUniversalTime() - Started).Duration() > TimeSpan.FromSeconds(2);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return true;
        }
    }

    public string Describe() => $"process {Pid} on {Host}, started {Started:yyyy-MM-dd HH:mm:ss} UTC";
}

/// <summary>Helper containers whose creator died: found by their owner label and removed, so their volumes are free again.</summary>
public static class OrphanedHelpers
{
    /// <summary>
    /// Removes every helper container of this project whose owner process is gone (<see cref="HelperOwner.Gone"/>) and
    /// that mounts one of <paramref name="volumes"/>, saying so in one line each. Containers of live processes, of other
    /// machines, and without an owner label are left alone. Returns the names removed.
    /// </summary>
    public static async Task<IReadOnlyList<string>> RemoveOrphanedHelpersAsync(this DockerEngine engine, IEnumerable<string?> volumes, Action<string> log, CancellationToken ct = default)
    {
        var wanted = volumes.OfType<string>().ToHashSet(StringComparer.Ordinal);
        var removed = new List<string>();
        if (wanted.Count == 0) return removed;
        foreach (var container in await engine.Containers.ListAsync([Labels.Owner], all: true, ct).ConfigureAwait(false))
        {
            var held = container.Mounts.Select(m => m.Name).OfType<string>().Where(wanted.Contains).ToList();
            if (held.Count == 0 || !container.Labels.TryGetValue(Labels.Managed, out _)) continue;
            if (HelperOwner.Parse(container.Labels.GetValueOrDefault(Labels.Owner)) is not { } owner || !owner.Gone()) continue;
            await engine.Containers.RemoveAsync(container.Id, force: true, ct: ct).ConfigureAwait(false);
            removed.Add(container.Name);
            log($"Removed helper container {container.Name} ({container.State}), left by {owner.Describe()}, which ended before removing it; it held volume {string.Join(", ", held.Select(v => $"'{v}'"))}.");
        }
        return removed;
    }
}
