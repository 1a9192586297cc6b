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
        log($"Reading workspace volume '{options.WorkspaceVolume}'{(options.Job is { } j ? $" (job {j})" : "")}...");
        var chosen = await ChooseAsync(engine, options.WorkspaceVolume, options.HelperImage, options.Job, options.Attempt, options.ListingContainers, ct).ConfigureAwait(false);
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
            await using (var tar = new ProgressStream(await CopyOutAsync(options, $"{chosen.Id.RelativePath}/{JobAttempt.NormalizeFolder}", ct).ConfigureAwait(false), progress))
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

    /// <summary>
    /// A tar of the folder (relative to the workspace volume's root), from the archive endpoint of the first running
    /// deployment container that mounts the volume (the server: as the tutorial's <c>docker cp airbyte-server:/tmp/workspace/...</c>,
    /// nothing created); without one, from a created, never-started helper container on the volume (read-only), removed
    /// when the stream is disposed.
    /// </summary>
    private async Task<Stream> CopyOutAsync(ExtractNormalizationOptions options, string relative, CancellationToken ct)
    {
        foreach (var name in options.ListingContainers)
        {
            var container = await engine.Containers.FindAsync(name, ct).ConfigureAwait(false);
            if (container is not { IsRunning: true } || container.Mounts.FirstOrDefault(m => m.Type == "volume" && m.Name == options.WorkspaceVolume) is not { } mount) continue;
            try
            {
                return await engine.Containers.CopyOutAsync(container.Name, $"{mount.Destination.TrimEnd('/')}/{relative}", ct).ConfigureAwait(false);
            }
            catch (DockerOpsException)
            {
                // stopped meanwhile: the helper container reads the volume
            }
        }
        var mounted = await WorkspaceVolume.OpenAsync(engine, options.WorkspaceVolume, options.HelperImage, ct).ConfigureAwait(false);
        try
        {
            return new OwningStream(await mounted.CopyOutAsync(relative, ct).ConfigureAwait(false), mounted);
        }
        catch
        {
            await mounted.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The helper container's tar stream; disposing it removes the container too.</summary>
    private sealed class OwningStream(Stream inner, IAsyncDisposable owner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private bool _disposed;

        protected override void Dispose(bool disposing)
        {
            if (disposing && !_disposed)
            {
                _disposed = true;
                inner.Dispose();
                owner.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            if (!_disposed)
            {
                _disposed = true;
                await inner.DisposeAsync().ConfigureAwait(false);
                await owner.DisposeAsync().ConfigureAwait(false);
            }
            GC.SuppressFinalize(this);
        }
    }

    /// <summary>
    /// The attempt to take, read from the volume: without a job, the newest with <c>normalize/models</c> found from the folder
    /// names alone (<see cref="JobWorkspace.FindNewestWithNormalizationAsync"/>); with a job, that job's listing. When nothing
    /// fits, the full listing explains why (<see cref="Choose"/>).
    /// </summary>
    internal static async Task<JobAttempt> ChooseAsync(DockerEngine engine, string volume, string helperImage, long? job, long? attempt,
        IReadOnlyList<string> containers, CancellationToken ct)
    {
        if (job is null && attempt is null
            && await JobWorkspace.FindNewestWithNormalizationAsync(engine, volume, helperImage, ct, containers).ConfigureAwait(false) is { } newest)
            return newest;
        var workspace = await JobWorkspace.ReadAsync(engine, volume, helperImage, job, lastLogLines: false, ct, containers).ConfigureAwait(false);
        return Choose(workspace, job, attempt);
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
