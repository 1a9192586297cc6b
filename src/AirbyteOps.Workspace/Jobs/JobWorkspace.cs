using AirbyteOps.Docker;

namespace AirbyteOps.Workspace.Jobs;

/// <summary>
/// The jobs and attempts in Airbyte's workspace volume (<c>&lt;job&gt;/&lt;attempt&gt;/...</c>): names, sizes, modes and times,
/// listed by <c>find</c> and <c>stat</c>, so what crosses the engine grows with the number of files, never with their bytes:
/// no file body is read, except the last 8 KB of each <c>logs.log</c> when the last log lines are asked for (<c>tail -c</c>
/// seeks to them; <c>awk</c> in the same container keeps only each log's last line, so one line per log crosses). The listing runs by <c>docker exec</c> in a running deployment container that mounts the volume (the
/// server or the scheduler: no container to start) when that container's image has <c>find</c>, <c>stat -c</c>,
/// <c>tail</c> and (for the last log lines) <c>tr</c> and <c>awk</c>; otherwise in a one-off busybox container on the volume (read-only, no network).
/// </summary>
public sealed class JobWorkspace
{
    // A constant script (the 8 KB of log tail is enough for any sane last line); the folder the volume is mounted at, the start
    // folder, the end-of-listing marker, whether to tail the logs and the logs' depth travel as arguments. Devices, fifos and
    // sockets are left out of the listing, as the tar reader skipped them. Exit 97: the image lacks a tool (the caller falls back).
    // busybox and GNU coreutils/findutils print the same: stat's %f is the raw mode in hex, %Y whole seconds, and
    // tail -v writes a "==> path <==" header per file (GNU with a blank line between files, which the parser skips).
    internal const string ListScript =
        "for t in find stat tail; do command -v \"$t\" >/dev/null 2>&1 || exit 97; done; [ \"$4\" != yes ] || { command -v tr && command -v awk; } >/dev/null 2>&1 || exit 97; stat -c '%f %s %Y %n' / >/dev/null 2>&1 || exit 97; " +
        "cd \"$1\" || exit 2; [ -e \"$2\" ] || exit 0; " +
        "find \"$2\" -mindepth 1 ! -type b ! -type c ! -type p ! -type s -exec stat -c '%f %s %Y %n' -- {} + || exit 3; " +
        "echo \"$3\"; [ \"$4\" = yes ] || exit 0; " +
        "{ find \"$2\" -mindepth \"$5\" -maxdepth \"$5\" -type f -name logs.log -exec tail -v -c 8192 -- {} + || echo \"$3 failed\"; } | tr -d '\\000' | " +
        "awk -v failed=\"$3 failed\" " + LastLinesAwk;

    // Keeps, of each tail -v section, its header and its last line that is not blank (what Parse keeps), so what crosses the
    // engine is one line per log whatever the log holds; a failed find or tail reaches awk as a line of its own and becomes
    // the exit code, as when find ended the script. NUL bytes are dropped before awk (a sparse or crash-zeroed tail is no
    // line to show, and busybox awk and mawk read NULs differently).
    private const string LastLinesAwk =
        "'function flush() { if (h != \"\") { print h; if (l != \"\") print l } } " +
        "$0 == failed { bad = 1; next } " +
        "/^==> .* <==$/ { flush(); h = $0; l = \"\"; next } " +
        "/[^ \\t\\r\\f\\v]/ { l = $0 } " +
        "END { flush(); exit bad ? 3 : 0 }'";

    /// <summary>The exit code of <see cref="ListScript"/> when a tool it needs is missing in the image.</summary>
    internal const long MissingTools = 97;

    private JobWorkspace(string volume, IReadOnlyList<JobAttempt> attempts, long listingBytes, string listedBy)
    {
        Volume = volume;
        Attempts = attempts;
        ListingBytes = listingBytes;
        ListedBy = listedBy;
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

    /// <summary>Where the listing ran: <c>exec in container 'NAME'</c>, or <c>helper container</c> (a one-off busybox container).</summary>
    public string ListedBy { get; }

    /// <summary>
    /// Lists the workspace volume (<paramref name="job"/> set: only that job's folder).
    /// <paramref name="lastLogLines"/>: also read each logs.log's last line (from its last 8 KB; finding jobs does not need it).
    /// <paramref name="runningContainers"/>: the deployment's containers to list through, in order (the server, the scheduler):
    /// the first that runs, mounts the volume and has the tools does the listing by <c>docker exec</c>; when none does (or its
    /// listing fails), a one-off container of <paramref name="helperImage"/> does it, as it always did.
    /// </summary>
    public static async Task<JobWorkspace> ReadAsync(DockerEngine engine, string volume, string helperImage, long? job = null, bool lastLogLines = true,
        CancellationToken ct = default, IReadOnlyList<string>? runningContainers = null)
    {
        var start = job?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? ".";
        var marker = NewMarker();
        var listing = await RunScriptAsync(engine, volume, helperImage, ListScript,
            root => [root, start, marker, lastLogLines ? "yes" : "no", job is null ? "3" : "2"], marker, ct, runningContainers).ConfigureAwait(false);
        return new JobWorkspace(volume, Parse(listing.Lines, marker), listing.Bytes, listing.ListedBy);
    }

    // Finds the newest <job>/<attempt> with normalize/models without walking the volume: the shell's glob reads the folder
    // names of the jobs and attempts only (no file of a job is visited, whatever the size or number of its logs), the newest is
    // picked by number (a builtin test; no process per job), and only that attempt is listed, as ListScript lists. It counts
    // exactly what the full listing's HasNormalization counts: an entry normalize/models (of any type) reached without
    // following a link, under folders named by plain decimal numbers. Prints the marker alone when no attempt has it.
    internal const string NewestNormalizationScript =
        "command -v find >/dev/null 2>&1 || exit 97; stat -c '%f %s %Y %n' / >/dev/null 2>&1 || exit 97; " +
        "cd \"$1\" || exit 2; m=\"$2\"; bj=-1; ba=-1; " +
        "for p in */*/normalize/models; do " +
        "[ -e \"$p\" ] || [ -L \"$p\" ] || continue; " +
        "j=${p%%/*}; r=${p#*/}; a=${r%%/*}; " +
        "case \"$j\" in ''|*[!0-9]*) continue;; esac; case \"$a\" in ''|*[!0-9]*) continue;; esac; " +
        "[ ${#j} -le 18 ] && [ ${#a} -le 18 ] || continue; " +
        "[ -L \"$j\" ] || [ -L \"$j/$a\" ] || [ -L \"$j/$a/normalize\" ] && continue; " +
        "if [ \"$j\" -gt \"$bj\" ] || { [ \"$j\" -eq \"$bj\" ] && [ \"$a\" -gt \"$ba\" ]; }; then bj=$j; ba=$a; fi; " +
        "done; " +
        "if [ \"$bj\" -ge 0 ]; then find \"./$bj/$ba\" -mindepth 1 ! -type b ! -type c ! -type p ! -type s -exec stat -c '%f %s %Y %n' -- {} + || exit 3; fi; " +
        "echo \"$m\"";

    /// <summary>
    /// The newest attempt that has <c>normalize/models</c> (by job, then attempt number), with its files, or null when no
    /// attempt has it. What it reads grows with the number of jobs and attempts only: folder names, then the stats of the one
    /// attempt it returns (no other job's files are visited). Runs where <see cref="ReadAsync"/> runs (exec in a running
    /// deployment container that mounts the volume, else a one-off container), and falls back to the full listing when the
    /// image lacks a tool.
    /// </summary>
    public static async Task<JobAttempt?> FindNewestWithNormalizationAsync(DockerEngine engine, string volume, string helperImage,
        CancellationToken ct = default, IReadOnlyList<string>? runningContainers = null)
    {
        var marker = NewMarker();
        var listing = await RunScriptAsync(engine, volume, helperImage, NewestNormalizationScript, root => [root, marker], marker, ct, runningContainers,
            toolsMayLack: true).ConfigureAwait(false);
        if (listing.LacksTools)
            return (await ReadAsync(engine, volume, helperImage, lastLogLines: false, ct: ct, runningContainers: runningContainers).ConfigureAwait(false)).NewestWithNormalization();
        return Parse(listing.Lines, marker).SingleOrDefault();
    }

    private static string NewMarker() => $"--airbyteops-listing-end-{Guid.NewGuid():N}--";

    /// <summary>A listing's lines; <see cref="LacksTools"/>: the helper image lacks a tool the script needs (nothing listed).</summary>
    private sealed record Listing(List<string> Lines, long Bytes, string ListedBy, bool LacksTools = false);

    /// <summary>
    /// Runs a read-only listing <paramref name="script"/> by exec in the first running container of <paramref name="runningContainers"/>
    /// that mounts the volume (and exits 0 there), else in a one-off <paramref name="helperImage"/> container with the volume read-only.
    /// <paramref name="toolsMayLack"/>: a helper image lacking a tool (exit 97) is reported in the result instead of thrown.
    /// </summary>
    private static async Task<Listing> RunScriptAsync(DockerEngine engine, string volume, string helperImage, string script,
        Func<string, string[]> arguments, string marker, CancellationToken ct, IReadOnlyList<string>? runningContainers,
        bool toolsMayLack = false)
    {
        if (await engine.Volumes.FindAsync(volume, ct).ConfigureAwait(false) is null)
            throw new DockerOpsException($"Workspace volume '{volume}' does not exist: start Airbyte and run a sync first (./build.sh ComposeUp Sync), or pass --workspace-volume with the right name.");
        var lines = new List<string>();
        long bytes = 0;
        void Collect(string line) { bytes += line.Length + 1; lines.Add(line); }

        foreach (var name in runningContainers ?? [])
        {
            var container = await engine.Containers.FindAsync(name, ct).ConfigureAwait(false);
            var mount = container is { IsRunning: true } ? container.Mounts.FirstOrDefault(m => m.Type == "volume" && m.Name == volume) : null;
            if (mount is null) continue;
            lines.Clear();
            bytes = 0;
            long exitCode;
            try
            {
                exitCode = (await engine.ExecAsync(name, ["sh", "-c", script, "sh", .. arguments(mount.Destination)], onLine: Collect, ct: ct).ConfigureAwait(false)).ExitCode;
            }
            catch (DockerOpsException)
            {
                continue; // stopped meanwhile, or the engine refused the exec: the helper container still lists the volume
            }
            // Any failure here (tools missing, sh missing: 126/127, a folder the container's user cannot read) falls back to the
            // helper container, which lists as root on a read-only mount: the same listing, never a partial one.
            if (exitCode == 0) return new Listing(lines, bytes, $"exec in container '{name}'");
        }

        lines.Clear();
        bytes = 0;
        var spec = new ContainerSpec($"airbyteops-workspace-list-{Guid.NewGuid():N}"[..40], helperImage)
        {
            Entrypoint = ["sh", "-c", script, "sh"],
            Command = arguments(MountedVolume.MountPath),
            Mounts = [new VolumeMount(volume, MountedVolume.MountPath, ReadOnly: true)],
            Labels = new Dictionary<string, string> { [Labels.Role] = "volume-access" },
            NetworkMode = "none",
        };
        var exit = await engine.RunAsync(spec, Collect, ct: ct).ConfigureAwait(false);
        if (exit == MissingTools && toolsMayLack) return new Listing([], 0, "helper container", LacksTools: true);
        if (exit != 0)
            throw new DockerOpsException($"Listing workspace volume '{volume}' failed (exit {exit}): {lines.LastOrDefault(l => !l.Contains(marker, StringComparison.Ordinal)) ?? "no output"}.");
        return new Listing(lines, bytes, "helper container");
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
