using AirbyteOps.Processes;
using AirbyteOps.Docker;

namespace AirbyteOps.Workspace.Dbt;

/// <summary>
/// DbtRun: <c>dbt debug</c>, then <c>dbt run</c> on a normalization project, either in the normalization image on the
/// workspace volume (as the tutorial does) or with a local dbt on the extracted copy (deps, then run --full-refresh).
/// dbt's output streams live with the profile's passwords masked; its Done line becomes the result.
/// </summary>
public sealed class DbtRunOperation(DockerEngine engine)
{
    public const string ContainerDbt = "/usr/local/bin/dbt";

    public Task<DbtResult> RunAsync(DbtRunOptions options, Action<string> log, CancellationToken ct = default) =>
        options.Mode == DbtMode.Local ? RunLocalAsync(options, log, ct) : RunInContainerAsync(options, log, ct);

    private async Task<DbtResult> RunInContainerAsync(DbtRunOptions options, Action<string> log, CancellationToken ct)
    {
        var image = NormalizationImageChoice.RequireTag(options.NormalizationImage);
        JobAttempt chosen;
        SecretMasker masker;
        await using (var mounted = await WorkspaceVolume.OpenAsync(engine, options.WorkspaceVolume, options.HelperImage, ct).ConfigureAwait(false))
        {
            log($"Reading workspace volume '{options.WorkspaceVolume}'...");
            chosen = await ExtractNormalizationOperation.ChooseAsync(engine, options.WorkspaceVolume, options.HelperImage, options.Job, options.Attempt, options.ListingContainers, ct).ConfigureAwait(false);
            var profiles = await WorkspaceVolume.ReadFileAsync(mounted, $"{chosen.Id.RelativePath}/normalize/profiles.yml", ct).ConfigureAwait(false);
            masker = MaskerFor(profiles is null ? null : System.Text.Encoding.UTF8.GetString(profiles), $"{chosen.Id.RelativePath}/normalize", log);
            if (options.NormalizationImageFromJobLog)
            {
                var logBytes = await WorkspaceVolume.ReadFileAsync(mounted, $"{chosen.Id.RelativePath}/logs.log", ct).ConfigureAwait(false);
                if (logBytes is not null && NormalizationImageChoice.FromLog(System.Text.Encoding.UTF8.GetString(logBytes).Split('\n')) is { } fromLog)
                {
                    log($"{chosen.Id}'s log names the normalization image it ran: {fromLog}.");
                    image = fromLog;
                }
                else
                {
                    image = NormalizationImageChoice.ForVersion(options.AirbyteVersion, image, chosen.Id.ToString());
                    log($"{chosen.Id}'s log names no normalization image; taking {image}, the one Airbyte {options.AirbyteVersion ?? "0.7.1 (the version is unknown)"} runs.");
                }
            }
        }
        if (options.EnsureImage is not null) await options.EnsureImage(image, ct).ConfigureAwait(false);
        if (await engine.Images.FindAsync(image, ct).ConfigureAwait(false) is null)
            throw new DockerOpsException($"Normalization image '{image}' is not on this machine and is never pulled: build the stand-in (./build.sh Images, then --normalization-image airbyteops/normalization-standin:0.18.1), load the real image (docker load), or run a local dbt with --dbt-mode local.");

        var workingDirectory = $"/data/{chosen.Id.RelativePath}/normalize";
        string[][] commands = [["debug", "--profiles-dir=.", "--project-dir=."], ["run", "--profiles-dir=.", "--project-dir=."]];
        DbtResult? result = null;
        foreach (var arguments in commands)
        {
            log($"==> dbt {string.Join(' ', arguments)}  (image {image}, {chosen.Id}, -w {workingDirectory}, network {options.Network})");
            var spec = new ContainerSpec($"airbyteops-dbt-{arguments[0]}-{Guid.NewGuid():N}"[..34], image)
            {
                Entrypoint = [ContainerDbt],
                Command = arguments,
                Mounts = [new VolumeMount(options.WorkspaceVolume, "/data")],
                WorkingDirectory = workingDirectory,
                NetworkMode = options.Network,
                Labels = new Dictionary<string, string> { [Labels.Role] = "dbt" },
            };
            var watcher = new DbtOutputWatcher(masker, log);
            var exitCode = await engine.RunAsync(spec, watcher.OnLine, options.Timeout, ct).ConfigureAwait(false);
            result = watcher.Result(arguments[0], (int)exitCode);
            if (!result.Succeeded) break;
        }
        log(result!.Verdict);
        return result;
    }

    private static async Task<DbtResult> RunLocalAsync(DbtRunOptions options, Action<string> log, CancellationToken ct)
    {
        var project = Path.GetFullPath(options.ProjectDirectory ?? NormalizationProject.DirectoryUnder(options.ArtifactsDirectory));
        if (!File.Exists(Path.Combine(project, "dbt_project.yml")))
            throw new WorkspaceException($"No normalization project at {project} (no dbt_project.yml): run ./build.sh ExtractNormalization first, or pass --project-dir.");
        var dbt = ProcessRunner.Find(options.DbtExecutable, options.SearchPath)
            ?? throw new ProcessException($"No '{options.DbtExecutable}' on PATH: install dbt for Postgres (pip install dbt-postgres; this project was generated for dbt 0.18/0.19), or run it in the normalization image with --dbt-mode container.");
        var profilesPath = Path.Combine(project, "profiles.yml");
        var masker = MaskerFor(File.Exists(profilesPath) ? await File.ReadAllTextAsync(profilesPath, ct).ConfigureAwait(false) : null, project, log);

        var dirs = new[] { $"--profiles-dir={project}", $"--project-dir={project}" };
        string[][] commands = [["debug", .. dirs], ["deps", .. dirs], ["run", .. dirs, "--full-refresh"]];
        DbtResult? result = null;
        foreach (var arguments in commands)
        {
            log($"==> {dbt} {string.Join(' ', arguments)}");
            var watcher = new DbtOutputWatcher(masker, log);
            var exitCode = await RunWithTimeoutAsync(dbt, arguments, project, options, watcher.OnLine, ct).ConfigureAwait(false);
            result = watcher.Result(arguments[0], exitCode);
            if (!result.Succeeded) break;
        }
        log(result!.Verdict);
        return result;
    }

    private static async Task<int> RunWithTimeoutAsync(string dbt, string[] arguments, string project, DbtRunOptions options, Action<string> onLine, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(options.Timeout);
        var environment = options.SearchPath is null ? null : new Dictionary<string, string> { ["PATH"] = options.SearchPath };
        try
        {
            return await ProcessRunner.RunAsync(dbt, arguments, onLine, environment, project, cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new ProcessException($"'{Path.GetFileName(dbt)} {arguments[0]}' did not finish within {options.Timeout.TotalMinutes:0.#} min; it was stopped.");
        }
    }

    private static SecretMasker MaskerFor(string? profilesYaml, string where, Action<string> log)
    {
        if (profilesYaml is null)
        {
            log($"Note: {where} has no profiles.yml; dbt debug will say what it misses.");
            return SecretMasker.None;
        }
        return SecretMasker.FromProfilesYaml(profilesYaml);
    }
}
