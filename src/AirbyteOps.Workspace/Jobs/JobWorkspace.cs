using AirbyteOps.Docker;

namespace AirbyteOps.Workspace.Jobs;

/// <summary>
/// The jobs and attempts in Airbyte's workspace volume (<c>&lt;job&gt;/&lt;attempt&gt;/...</c>): names, sizes, modes and times,
/// listed by busybox <c>find</c> and <c>stat</c> in a one-off container on the volume (read-only, no network), so what
/// crosses the engine grows with the number of files, never with their bytes: no file body is read, except the last
/// 8 KB of each <c>logs.log</c> when the last log lines are asked for (busybox <c>tail -c</c> seeks to them).
/// </summary>
public sealed class JobWorkspace
{
    // A constant script (the 8 KB of log tail is enough for any sane last line); the start folder, the end-of-listing marker, whether to tail the logs and the logs' depth
    // travel as arguments. Devices, fifos and sockets are left out of the listing, as the tar reader skipped them.
    private const string ListScript =
        "cd /volume || exit 2; [ -e \"$1\" ] || exit 0; " +
        "find \"$1\" -mindepth 1 ! -type b ! -type c ! -type p ! -type s -exec stat -c '%f %s %Y %n' -- {} + || exit 3; " +
        "echo \"$2\"; [ \"$3\" = yes ] || exit 0; " +
        "find \"$1\" -mindepth \"$4\" -maxdepth \"$4\" -type f -name logs.log -exec tail -v -c 8192 -- {} +";

    private JobWorkspace(string volume, IReadOnlyList<JobAttempt> attempts, long listingBytes)
    {
        Volume = volume;
        Attempts = attempts;
        ListingBytes = listingBytes;
    }

    public string Volume { get; }

    /// <summary>All attempts, newest first (by job number, then attempt number).</summary>
    public IReadOnlyList<JobAttempt> Attempts { get; }

    /// <summary>Bytes of listing (and log tails) that crossed the engine to read this workspace.</summary>
    public long ListingBytes { get; }

    public IReadOnlyList<long> Jobs => Attempts.Select(a => a.Id.Job).Distinct().ToList();

    public JobAttempt? Find(JobAttemptId id) => Attempts.FirstOrDefault(a => a.Id == id);

    /// <summary>The newest attempt whose folder has <c>normalize/models</c>; optionally only within one job or one attempt.</summary>
    public JobAttempt? NewestWithNormalization(long? job = null, long? attempt = null) =>
        Attempts.FirstOrDefault(a => a.HasNormalization && (job is null || a.Id.Job == job) && (attempt is null || a.Id.Attempt == attempt));

    /// <summary>
    /// Lists the workspace volume (<paramref name="job"/> set: only that job's folder).
    /// <paramref name="lastLogLines"/>: also read each logs.log's last line (from its last 8 KB; finding jobs does not need it).
    /// </summary>
    public static async Task<JobWorkspace> ReadAsync(DockerEngine engine, string volume, string helperImage, long? job = null, bool lastLogLines = true, CancellationToken ct = default)
    {
        if (await engine.Volumes.FindAsync(volume, ct).ConfigureAwait(false) is null)
            throw new DockerOpsException($"Workspace volume '{volume}' does not exist: start Airbyte and run a sync first (./build.sh ComposeUp Sync), or pass --workspace-volume with the right name.");
        var start = job?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? ".";
        var marker = $"--airbyteops-listing-end-{Guid.NewGuid():N}--";
        var lines = new List<string>();
        long bytes = 0;
        var spec = new ContainerSpec($"airbyteops-workspace-list-{Guid.NewGuid():N}"[..40], helperImage)
        {
            Entrypoint = ["sh", "-c", ListScript, "sh"],
            Command = [start, marker, lastLogLines ? "yes" : "no", job is null ? "3" : "2"],
            Mounts = [new VolumeMount(volume, MountedVolume.MountPath, ReadOnly: true)],
            Labels = new Dictionary<string, string> { [Labels.Role] = "volume-access" },
            NetworkMode = "none",
        };
        var exit = await engine.RunAsync(spec, line => { bytes += line.Length + 1; lines.Add(line); }, ct: ct).ConfigureAwait(false);
        if (exit != 0)
            throw new DockerOpsException($"Listing workspace volume '{volume}' failed (exit {exit}): {lines.LastOrDefault(l => !l.Contains(marker, StringComparison.Ordinal)) ?? "no output"}.");
        return new JobWorkspace(volume, Parse(lines, marker), bytes);
    }

    /// <summary>
    /// Groups the listing into attempts: <c>stat</c> lines (raw mode in hex, size, mtime, path) up to the marker, then
    /// <c>tail -v</c> output (a <c>==&gt; path &lt;==</c> header per logs.log, then its last bytes).
    /// </summary>
    internal static IReadOnlyList<JobAttempt> Parse(IEnumerable<string> lines, string marker)
    {
        var files = new Dictionary<JobAttemptId, List<WorkspaceFile>>();
        var lastLines = new Dictionary<JobAttemptId, string?>();
        var listing = true;
        JobAttemptId? tailOf = null;
        foreach (var line in lines)
        {
            if (listing)
            {
                if (line == marker) listing = false;
                else if (ParseStat(line) is var (path, file) && JobAttemptId.TryParsePath(path, out var id, out var rest))
                {
                    if (!files.TryGetValue(id, out var list)) files[id] = list = [];
                    if (rest.Length > 0 && file is not null) list.Add(file with { Path = rest });
                }
                continue;
            }
            if (line.StartsWith("==> ", StringComparison.Ordinal) && line.EndsWith(" <==", StringComparison.Ordinal)
                && JobAttemptId.TryParsePath(Relative(line[4..^4]), out var logOf, out var logRest) && logRest == JobAttempt.LogFileName)
            {
                tailOf = logOf;
                lastLines[logOf] = null;
            }
            else if (tailOf is { } current && line.Trim().Length > 0)
                lastLines[current] = line;
        }
        return files
            .Select(kv => new JobAttempt(kv.Key, kv.Value.OrderBy(f => f.Path, StringComparer.Ordinal).ToList(), lastLines.GetValueOrDefault(kv.Key)))
            .OrderByDescending(a => a.Id)
            .ToList();
    }

    private static string Relative(string path) => path.StartsWith("./", StringComparison.Ordinal) ? path[2..] : path;

    /// <summary>One <c>stat -c '%f %s %Y %n'</c> line: the path, and the entry (null for a special file, which is skipped).</summary>
    private static (string Path, WorkspaceFile? File)? ParseStat(string line)
    {
        var parts = line.Split(' ', 4);
        if (parts.Length < 4
            || !int.TryParse(parts[0], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out var raw)
            || !long.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var size)
            || !long.TryParse(parts[2], System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var seconds))
            return null;
        var type = raw & 0xF000;
        var isDirectory = type == 0x4000;
        var modified = DateTimeOffset.FromUnixTimeSeconds(seconds);
        var file = type is 0x4000 or 0x8000 or 0xA000
            ? new WorkspaceFile("", type == 0x8000 ? size : 0, modified, (UnixFileMode)(raw & 0xFFF), isDirectory)
            : null;
        return (Relative(parts[3]), file);
    }
}
