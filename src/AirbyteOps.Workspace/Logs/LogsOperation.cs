using System.Globalization;
using System.Text;
using AirbyteOps.Docker;
using AirbyteOps.IO;
using AirbyteOps.Progress;

namespace AirbyteOps.Workspace.Logs;

/// <summary>
/// Logs: lists the jobs and attempts of the workspace volume newest first, or prints (or copies) one attempt's log.
/// </summary>
public sealed class LogsOperation(DockerEngine engine)
{
    /// <summary>Lists, prints, copies or follows, as the options say. Returns the attempts listed (or the one shown).</summary>
    public async Task<IReadOnlyList<JobAttempt>> RunAsync(LogsOptions options, Action<string> log, CancellationToken ct = default)
    {
        if (options.Job is null)
        {
            if (options.Attempt is not null) throw new WorkspaceException("--attempt needs --job: say which job's attempt to show.");
            return await ListAsync(options, log, ct).ConfigureAwait(false);
        }
        return [await ShowAsync(options, log, ct).ConfigureAwait(false)];
    }

    private async Task<IReadOnlyList<JobAttempt>> ListAsync(LogsOptions options, Action<string> log, CancellationToken ct = default)
    {
        var workspace = await JobWorkspace.ReadAsync(engine, options.WorkspaceVolume, options.HelperImage, ct: ct, runningContainers: options.ListingContainers).ConfigureAwait(false);
        if (workspace.Attempts.Count == 0)
        {
            log($"Workspace volume '{options.WorkspaceVolume}' holds no jobs yet: run a sync (./build.sh Sync).");
            return [];
        }
        log($"Workspace volume '{options.WorkspaceVolume}': {workspace.Jobs.Count} job(s), {workspace.Attempts.Count} attempt(s), newest first.");
        foreach (var line in FormatTable(workspace.Attempts)) log(line);
        log("Show one: ./build.sh Logs --job N [--attempt M] [--follow]; copy it with its catalog: add --copy.");
        return workspace.Attempts;
    }

    /// <summary>The listing as aligned lines: job, attempt, log size, time, normalization, files, last log line.</summary>
    public static IReadOnlyList<string> FormatTable(IEnumerable<JobAttempt> attempts)
    {
        var lines = new List<string> { $"{"JOB",6} {"ATTEMPT",7} {"LOGS.LOG",9}  {"MODIFIED (UTC)",-19}  {"NORMALIZE",-9}  {"FILES",5}  LAST LOG LINE" };
        foreach (var a in attempts)
        {
            var log = a.Log;
            var size = log is null ? "-" : FormatSize(log.Size);
            var time = (log?.Modified ?? a.LastModified)?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "-";
            var last = a.LastLogLine ?? (log is null ? "(no logs.log)" : "(empty)");
            if (last.Length > 100) last = last[..100] + "…";
            lines.Add($"{a.Id.Job,6} {a.Id.Attempt,7} {size,9}  {time,-19}  {(a.HasNormalization ? "yes" : "no"),-9}  {a.Files.Count(f => !f.IsDirectory),5}  {last}");
        }
        return lines;
    }

    public static string FormatSize(long bytes) => bytes switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0 / 1024.0:0.0} MB"),
    };

    private async Task<JobAttempt> ShowAsync(LogsOptions options, Action<string> log, CancellationToken ct)
    {
        await using var mounted = await WorkspaceVolume.OpenAsync(engine, options.WorkspaceVolume, options.HelperImage, ct).ConfigureAwait(false);
        var job = options.Job!.Value;
        var workspace = await JobWorkspace.ReadAsync(engine, options.WorkspaceVolume, options.HelperImage, job, ct: ct, runningContainers: options.ListingContainers).ConfigureAwait(false);
        var attempts = workspace.Attempts;
        if (attempts.Count == 0)
            throw new WorkspaceException($"Job {job} is not in workspace volume '{options.WorkspaceVolume}': run ./build.sh Logs to see the jobs there.");
        var attempt = options.Attempt is { } wanted
            ? attempts.FirstOrDefault(a => a.Id.Attempt == wanted) ?? throw new WorkspaceException($"Job {job} has no attempt {wanted} (attempts: {string.Join(", ", attempts.Select(a => a.Id.Attempt).Order())}).")
            : attempts[0];
        var logPath = $"{attempt.Id.RelativePath}/{JobAttempt.LogFileName}";
        if (options.Copy)
        {
            var folder = Path.GetFullPath(Path.Combine(options.ArtifactsDirectory, "logs", attempt.Id.Job.ToString(CultureInfo.InvariantCulture), attempt.Id.Attempt.ToString(CultureInfo.InvariantCulture)));
            Directory.CreateDirectory(folder);
            foreach (var name in new[] { JobAttempt.LogFileName, JobAttempt.CatalogFileName })
            {
                var size = attempt.Files.FirstOrDefault(f => f.Path == name && !f.IsDirectory)?.Size;
                using var progress = ProgressReporter.ForConsole($"Copying {attempt.Id.RelativePath}/{name}", null, size is { } s ? ProgressReporter.TarSize([s]) : null, log);
                var content = await WorkspaceVolume.ReadFileAsync(mounted, $"{attempt.Id.RelativePath}/{name}", ct, progress).ConfigureAwait(false);
                if (content is null)
                {
                    log($"{attempt.Id}: no {name} to copy.");
                    continue;
                }
                // Written beside and renamed, so a half-copied file never looks complete.
                var target = Path.Combine(folder, name);
                await AtomicFile.WriteAllBytesAsync(target, content, ct).ConfigureAwait(false);
                log($"Copied {attempt.Id.RelativePath}/{name} ({FormatSize(content.Length)}) to {target}");
            }
            return attempt;
        }

        var text = await WorkspaceVolume.ReadFileAsync(mounted, logPath, ct).ConfigureAwait(false);
        if (text is null && !options.Follow)
            throw new WorkspaceException($"{attempt.Id} has no {JobAttempt.LogFileName} yet (files: {string.Join(", ", attempt.Files.Where(f => !f.IsDirectory).Select(f => f.Path).DefaultIfEmpty("none"))}).");
        log($"==> {options.WorkspaceVolume}:/{logPath} ({FormatSize(text?.Length ?? 0)}) <==");
        var printed = Emit(text ?? [], 0, log, final: !options.Follow);
        if (!options.Follow) return attempt;

        log($"(following {logPath}; stop with Ctrl+C)");
        try
        {
            while (true)
            {
                await Task.Delay(options.FollowInterval, ct).ConfigureAwait(false);
                var stat = await mounted.StatAsync(logPath, ct).ConfigureAwait(false);
                if (stat is null || stat.Size == printed) continue;
                text = await WorkspaceVolume.ReadFileAsync(mounted, logPath, ct).ConfigureAwait(false) ?? [];
                // A shorter file was truncated or rotated: start over rather than print garbage.
                if (text.Length < printed) printed = 0;
                printed = Emit(text, printed, log, final: false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return attempt;
        }
    }

    /// <summary>Prints the complete lines after byte <paramref name="from"/>; returns where the next unprinted line starts.</summary>
    internal static long Emit(byte[] content, long from, Action<string> log, bool final)
    {
        var start = (int)from;
        int newline;
        while ((newline = Array.IndexOf(content, (byte)'\n', start)) >= 0)
        {
            log(Encoding.UTF8.GetString(content, start, newline - start).TrimEnd('\r'));
            start = newline + 1;
        }
        if (final && start < content.Length)
        {
            log(Encoding.UTF8.GetString(content, start, content.Length - start));
            start = content.Length;
        }
        return start;
    }
}
