using AirbyteOps.Docker;
using AirbyteOps.IO;
using AirbyteOps.Progress;

namespace AirbyteOps.Workspace.Normalization;

/// <summary>
/// ExtractNormalization: copies a job attempt's <c>normalize/</c> dbt project out of the workspace volume.
/// The newest is chosen by job and attempt number (the tutorial's text sort would pick job 9 over job 12).
/// </summary>
public sealed class ExtractNormalizationOperation(DockerEngine engine)
{
    public async Task<NormalizationProject> RunAsync(ExtractNormalizationOptions options, Action<string> log, CancellationToken ct = default)
    {
        await using var mounted = await WorkspaceVolume.OpenAsync(engine, options.WorkspaceVolume, options.HelperImage, ct).ConfigureAwait(false);
        log($"Reading workspace volume '{options.WorkspaceVolume}'{(options.Job is { } j ? $" (job {j})" : "")}...");
        var workspace = await JobWorkspace.ReadAsync(engine, options.WorkspaceVolume, options.HelperImage, options.Job, lastLogLines: false, ct, options.ListingContainers).ConfigureAwait(false);
        var chosen = Choose(workspace, options.Job, options.Attempt);
        log($"Newest normalization project{(options.Job is null ? "" : " of the chosen job")}: {chosen.Id} (/tmp/workspace/{chosen.Id.RelativePath}/normalize in the server).");

        var destination = options.ProjectDirectory;
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        log($"Copying {chosen.Id.RelativePath}/normalize to {destination}...");
        // Extracted beside the destination and swapped in only when complete, so an interrupted copy never replaces a good one.
        var files = await AtomicDirectory.WriteAsync(destination, async partial =>
        {
            int count;
            var project = chosen.Files.Where(f => f.Path.StartsWith(JobAttempt.NormalizeFolder + "/", StringComparison.Ordinal)).ToList();
            using var progress = ProgressReporter.ForConsole($"Copying {chosen.Id.RelativePath}/normalize", null,
                ProgressReporter.TarSize(project.Select(f => f.Size).Append(0)), log);
            await using (var tar = new ProgressStream(await mounted.CopyOutAsync($"{chosen.Id.RelativePath}/{JobAttempt.NormalizeFolder}", ct).ConfigureAwait(false), progress))
            {
                count = await SafeTarExtractor.ExtractAsync(tar, partial, $"the normalization project of {chosen.Id}", ct, NormalizationProject.HoldsPassword).ConfigureAwait(false);
            }
            if (!File.Exists(Path.Combine(partial, "dbt_project.yml")))
                log($"Warning: {chosen.Id.RelativePath}/normalize has no dbt_project.yml; dbt will not run it as is.");
            return count;
        }).ConfigureAwait(false);
        var models = chosen.Models.Select(m => m["normalize/".Length..]).ToList();
        log($"Normalization project of {chosen.Id}: {destination} ({files} files).");
        var holdingPassword = NormalizationProject.PasswordFiles.Where(f => File.Exists(Path.Combine(destination, f))).ToList();
        if (holdingPassword.Count > 0)
            log($"{string.Join(" and ", holdingPassword)} hold{(holdingPassword.Count == 1 ? "s" : "")} the destination password in plain text: written with mode 0600 (only you can read {(holdingPassword.Count == 1 ? "it" : "them")}); do not commit or share {(holdingPassword.Count == 1 ? "it" : "them")}.");
        log(models.Count == 0 ? "Generated models: none." : $"Generated models ({models.Count}):");
        foreach (var model in models) log($"  {Path.Combine(destination, model)}");
        return new NormalizationProject(destination, chosen.Id, models);
    }

    /// <summary>The attempt to take: the given one, or the newest with <c>normalize/models</c>; a clear error otherwise.</summary>
    internal static JobAttempt Choose(JobWorkspace workspace, long? job, long? attempt)
    {
        if (attempt is not null && job is null)
            throw new WorkspaceException("--attempt needs --job: say which job's attempt to take.");
        var chosen = workspace.NewestWithNormalization(job, attempt);
        if (chosen is not null) return chosen;
        if (job is null)
        {
            var what = workspace.Attempts.Count == 0
                ? "it holds no jobs yet"
                : $"none of its {workspace.Jobs.Count} jobs ({Range(workspace)}) has normalize/models";
            throw new WorkspaceException($"No job with normalization in workspace volume '{workspace.Volume}': {what}. Run a sync to a Postgres destination with Basic Normalization on (./build.sh Sync), then run ExtractNormalization again.");
        }
        var attempts = workspace.Attempts.Where(a => a.Id.Job == job).ToList();
        if (attempts.Count == 0)
            throw new WorkspaceException($"Job {job} is not in workspace volume '{workspace.Volume}': run ./build.sh Logs to see the jobs there.");
        if (attempt is not null && attempts.All(a => a.Id.Attempt != attempt))
            throw new WorkspaceException($"Job {job} has no attempt {attempt} (attempts: {string.Join(", ", attempts.Select(a => a.Id.Attempt).Order())}).");
        throw new WorkspaceException($"Job {job}{(attempt is null ? "" : $" attempt {attempt}")} has no normalize/models: its sync ran without Basic Normalization or failed before it. Run ./build.sh Logs --job {job} to see why, or leave out --job to take the newest job with normalization.");
    }

    private static string Range(JobWorkspace workspace) =>
        workspace.Jobs.Count == 1 ? $"job {workspace.Jobs[0]}" : $"jobs {workspace.Jobs.Min()}..{workspace.Jobs.Max()}";
}
