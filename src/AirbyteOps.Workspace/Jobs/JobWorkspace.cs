using System.Text;
using AirbyteOps.Docker;

namespace AirbyteOps.Workspace.Jobs;

/// <summary>
/// The jobs and attempts in Airbyte's workspace volume (<c>&lt;job&gt;/&lt;attempt&gt;/...</c>), read from the tar
/// headers of the archive endpoint: names, sizes, modes and times, without extracting anything. File bodies are
/// skipped as they stream past, except the tail of each <c>logs.log</c> (for its last line).
/// </summary>
public sealed class JobWorkspace
{
    // Enough for any sane last line; the rest of the body is read past, never kept.
    private const int LogTailBytes = 8 * 1024;

    private JobWorkspace(string volume, IReadOnlyList<JobAttempt> attempts)
    {
        Volume = volume;
        Attempts = attempts;
    }

    public string Volume { get; }

    /// <summary>All attempts, newest first (by job number, then attempt number).</summary>
    public IReadOnlyList<JobAttempt> Attempts { get; }

    public IReadOnlyList<long> Jobs => Attempts.Select(a => a.Id.Job).Distinct().ToList();

    public JobAttempt? Find(JobAttemptId id) => Attempts.FirstOrDefault(a => a.Id == id);

    /// <summary>The newest attempt whose folder has <c>normalize/models</c>; optionally only within one job or one attempt.</summary>
    public JobAttempt? NewestWithNormalization(long? job = null, long? attempt = null) =>
        Attempts.FirstOrDefault(a => a.HasNormalization && (job is null || a.Id.Job == job) && (attempt is null || a.Id.Attempt == attempt));

    /// <summary>
    /// Reads the whole workspace volume (<paramref name="job"/> set: only that job's folder, which streams less).
    /// <paramref name="lastLogLines"/>: also read each logs.log's last line (its tail is kept; finding jobs does not need it).
    /// </summary>
    public static async Task<JobWorkspace> ReadAsync(DockerEngine engine, string volume, string helperImage, long? job = null, bool lastLogLines = true, CancellationToken ct = default)
    {
        await using var mounted = await WorkspaceVolume.OpenAsync(engine, volume, helperImage, ct).ConfigureAwait(false);
        return await ReadAsync(mounted, job, lastLogLines, ct).ConfigureAwait(false);
    }

    public static async Task<JobWorkspace> ReadAsync(MountedVolume mounted, long? job = null, bool lastLogLines = true, CancellationToken ct = default)
    {
        var jobPath = job?.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (jobPath is not null && await mounted.StatAsync(jobPath, ct).ConfigureAwait(false) is null)
            return new JobWorkspace(mounted.Volume, []);
        // Buffered: the tar reader asks for 512-byte headers, and each small read of the chunked HTTP stream is costly.
        await using var tar = new BufferedStream(await mounted.CopyOutAsync(jobPath ?? "", ct).ConfigureAwait(false), 1 << 20);
        // The archive of the volume root names entries "volume/<job>/..."; of a job folder "<job>/...".
        return new JobWorkspace(mounted.Volume, await ReadTarAsync(tar, stripFirst: jobPath is null, lastLogLines, ct).ConfigureAwait(false));
    }

    /// <summary>Groups tar entries into attempts. Public to the tests, which feed it tars they build.</summary>
    internal static async Task<IReadOnlyList<JobAttempt>> ReadTarAsync(Stream tar, bool stripFirst, bool lastLogLines = true, CancellationToken ct = default)
    {
        var files = new Dictionary<JobAttemptId, List<WorkspaceFile>>();
        var lastLines = new Dictionary<JobAttemptId, string?>();
        // Listing only: nothing is written, so devices or fifos in the volume are skipped rather than refused.
        await TarTree.ReadAsync(tar, "the workspace volume", async (entry, body) =>
        {
            var name = stripFirst ? TarTree.StripFirst(entry.Name) : entry.Name.TrimEnd('/');
            if (name is null || !JobAttemptId.TryParsePath(name, out var id, out var rest)) return;
            if (!files.TryGetValue(id, out var list)) files[id] = list = [];
            if (rest.Length == 0) return;
            var isDirectory = entry.Kind == EntryKind.Directory;
            list.Add(new WorkspaceFile(rest, isDirectory ? 0 : entry.Size, entry.Modified, entry.Mode, isDirectory));
            if (rest == JobAttempt.LogFileName && body is not null)
                lastLines[id] = await ReadLastLineAsync(body, ct).ConfigureAwait(false);
        }, skipSpecial: true, ct).ConfigureAwait(false);
        return files
            .Select(kv => new JobAttempt(kv.Key, kv.Value.OrderBy(f => f.Path, StringComparer.Ordinal).ToList(), lastLines.GetValueOrDefault(kv.Key)))
            .OrderByDescending(a => a.Id)
            .ToList();
    }

    private static async Task<string?> ReadLastLineAsync(Stream body, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        var tail = new byte[LogTailBytes];
        var tailLength = 0;
        int read;
        while ((read = await body.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
        {
            if (read >= LogTailBytes)
            {
                Array.Copy(buffer, read - LogTailBytes, tail, 0, LogTailBytes);
                tailLength = LogTailBytes;
            }
            else
            {
                var keep = Math.Min(tailLength, LogTailBytes - read);
                Array.Copy(tail, tailLength - keep, tail, 0, keep);
                Array.Copy(buffer, 0, tail, keep, read);
                tailLength = keep + read;
            }
        }
        var text = Encoding.UTF8.GetString(tail, 0, tailLength);
        return text.Split('\n').Select(l => l.TrimEnd('\r')).LastOrDefault(l => l.Trim().Length > 0);
    }
}
