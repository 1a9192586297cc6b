using AirbyteOps.Api;
using AirbyteOps.Build.Parameters;
using AirbyteOps.Compose;
using AirbyteOps.Destinations;
using AirbyteOps.Engine;
using AirbyteOps.Images;
using AirbyteOps.Postgres;
using AirbyteOps.Setups.Export;
using AirbyteOps.Setups.Restore;
using AirbyteOps.Testing;
using AirbyteOps.Tutorial;
using AirbyteOps.Workspace.Dbt;
using AirbyteOps.Workspace.Logs;
using AirbyteOps.Workspace.Normalization;

namespace AirbyteOps.Build;

/// <summary>One method per target: each builds its operation's options from the parameters and runs it.</summary>
public sealed partial class BuildContext
{
    public Task Help(IEnumerable<(string Name, string Description, IReadOnlyList<string> Dependencies)> targets) => RunAsync(TargetNames.Help, _ =>
    {
        Log("Usage: ./build.sh <Target> [<Target> ...] [--parameter value ...]   (Cake options: --tree, --dryrun, --exclusive, --verbosity=<level>)");
        Log("");
        Log("Targets:");
        foreach (var (name, description, dependencies) in targets.OrderBy(t => t.Name, StringComparer.Ordinal))
            Log($"  {name,-22} {description}" + (dependencies.Count > 0 ? $" (after {string.Join(", ", dependencies)})" : ""));
        Log("");
        Log("Parameters (command line, then environment variable, then .nuke/parameters.json):");
        foreach (var line in ParameterHelp.Lines()) Log(line);
        return Task.CompletedTask;
    });

    public Task EnsureDocker() => RunAsync(TargetNames.EnsureDocker, ct =>
        new EnsureDockerOperation(Engine).RunAsync(new EnsureDockerOptions(Artifacts, Timeout), Log, ct));

    public Task Images() => RunAsync(TargetNames.Images, ct =>
    {
        if (Parameters.Images == ImageSource.Official)
        {
            Log("--images official: using registry images; nothing to build.");
            return Task.CompletedTask;
        }
        return NeedImagesAsync(ImageCatalog.All, ct);
    });

    public Task StartPostgres() => RunAsync(TargetNames.StartPostgres, StartPostgresAsync);

    public Task ComposeUp() => RunAsync(TargetNames.ComposeUp, ComposeUpAsync);

    public Task WipeVolumes() => RunAsync(TargetNames.WipeVolumes, WipeVolumesAsync);

    public Task CreateConnections() => RunAsync(TargetNames.CreateConnections, ct => CreateConnectionsAsync(Parameters.Connection, ct));

    public Task Sync() => RunAsync(TargetNames.Sync, ct => SyncAsync(Required(Parameters.Connection, "connection", "Sync needs a connection"), ct));

    public Task LocalData() => RunAsync(TargetNames.LocalData, LocalDataAsync);

    public Task ExportSetup() => RunAsync(TargetNames.ExportSetup, ct =>
        ExportSetupAsync(Required(Parameters.Setup, "setup", "ExportSetup needs a setup name or path"), Parameters.Overwrite, ct));

    public Task RestoreSetup() => RunAsync(TargetNames.RestoreSetup, ct =>
        RestoreSetupAsync(Required(Parameters.Setup, "setup", "RestoreSetup needs a setup name, folder or archive"), ct));

    public Task Logs() => RunAsync(TargetNames.Logs, async ct =>
    {
        await NeedImageAsync(ImageRole.Busybox, ct).ConfigureAwait(false);
        await new LogsOperation(Engine).RunAsync(new LogsOptions
        {
            WorkspaceVolume = Parameters.WorkspaceVolume, HelperImage = Image(ImageRole.Busybox), ArtifactsDirectory = Artifacts,
            Job = Parameters.Job, Attempt = Parameters.Attempt, Copy = Parameters.Copy, Follow = Parameters.Follow,
        }, Log, ct).ConfigureAwait(false);
    });

    public Task ExtractNormalization() => RunAsync(TargetNames.ExtractNormalization, ExtractNormalizationAsync);

    public Task DbtRun() => RunAsync(TargetNames.DbtRun, DbtRunAsync);

    public Task Tutorial() => RunAsync(TargetNames.Tutorial, ct =>
        new TutorialOperation().RunAsync(new TutorialOptions(Path.Combine(Artifacts, "tutorial", "state.json"), TutorialSteps(), Parameters.Restart), Log, ct));

    public Task Test() => RunAsync(TargetNames.Test, async ct =>
    {
        var results = Path.Combine(Artifacts, "test-results");
        var summary = await new TestOperation().RunAsync(new TestOptions(Root, results, Parameters.TestFilter), Log, ct).ConfigureAwait(false);
        // build.sh prints this file last: CI reads it as the closing line.
        File.WriteAllText(Path.Combine(results, "summary.txt"), summary + Environment.NewLine);
        if (summary.Failed > 0) throw new BuildFailure($"{summary.Failed} test(s) failed; results in {results}.");
    });

    /// <summary>The tutorial, in its order; each step names the target it runs. The tutorial owns the setup names it exports.</summary>
    private IReadOnlyList<TutorialStep> TutorialSteps() =>
    [
        new(TargetNames.StartPostgres, null, StartPostgresAsync),
        new(TargetNames.ComposeUp, null, ComposeUpAsync),
        new(TargetNames.ExportSetup, "my-setup", ct => ExportSetupAsync("my-setup", overwrite: true, ct)),
        new(TargetNames.CreateConnections, "exchange-rate", ct => CreateConnectionsAsync("exchange-rate", ct)),
        new(TargetNames.Sync, "exchange-rate", ct => SyncAsync("exchange-rate", ct)),
        new(TargetNames.LocalData, null, LocalDataAsync),
        new(TargetNames.ExportSetup, "exchange-rate-setup", ct => ExportSetupAsync("exchange-rate-setup", overwrite: true, ct)),
        new(TargetNames.WipeVolumes, null, WipeVolumesAsync),
        new(TargetNames.ComposeUp, null, ComposeUpAsync),
        new(TargetNames.RestoreSetup, "my-setup", ct => RestoreSetupAsync("my-setup", ct)),
        new(TargetNames.CreateConnections, "covid", ct => CreateConnectionsAsync("covid", ct)),
        new(TargetNames.Sync, "covid", ct => SyncAsync("covid", ct)),
        new(TargetNames.ExtractNormalization, null, ExtractNormalizationAsync),
        new(TargetNames.DbtRun, null, DbtRunAsync),
    ];

    // ---- The operations the targets and the tutorial share ----

    private async Task StartPostgresAsync(CancellationToken ct)
    {
        Log("File content in the local destination (may not exist yet):");
        foreach (var line in LocalRoot.Describe(Parameters.LocalRoot)) Log("  " + line);
        await NeedImageAsync(ImageRole.Postgres, ct).ConfigureAwait(false);
        var p = Parameters;
        await new StartPostgresOperation(Engine).RunAsync(new PostgresOptions(p.PostgresContainer, p.PostgresImage ?? Image(ImageRole.Postgres),
            p.PostgresPort, p.PostgresUser, p.PostgresPassword, p.PostgresDb, Timeout), Log, ct).ConfigureAwait(false);
    }

    private async Task ComposeUpAsync(CancellationToken ct)
    {
        if (IsDemoStack && Parameters.Images == ImageSource.Local) await NeedImagesAsync(ImageCatalog.DemoStack, ct).ConfigureAwait(false);
        await new ComposeUpOperation(Engine).RunAsync(ComposeOptions, Log, ct).ConfigureAwait(false);
    }

    private Task WipeVolumesAsync(CancellationToken ct) => new WipeVolumesOperation(Engine).RunAsync(ComposeOptions, Log, ct);

    private async Task CreateConnectionsAsync(string? only, CancellationToken ct)
    {
        using var api = new AirbyteApi(Parameters.ServerUrl);
        await new CreateConnectionsOperation(api).RunAsync(new CreateConnectionsOptions(DescriptionsFile, only, Variable), Log, ct).ConfigureAwait(false);
    }

    private async Task SyncAsync(string connection, CancellationToken ct)
    {
        using var api = new AirbyteApi(Parameters.ServerUrl);
        await new SyncOperation(api).RunAsync(new SyncOptions(connection, Timeout) { AirbyteVersion = Parameters.AirbyteVersion }, Log, ct).ConfigureAwait(false);
    }

    private async Task LocalDataAsync(CancellationToken ct)
    {
        await NeedImageAsync(ImageRole.Busybox, ct).ConfigureAwait(false);
        await new LocalDataOperation(Engine).RunAsync(new LocalDataOptions(Parameters.LocalRoot, Image(ImageRole.Busybox)), Log, ct).ConfigureAwait(false);
    }

    private async Task ExportSetupAsync(string setup, bool overwrite, CancellationToken ct)
    {
        await NeedImageAsync(ImageRole.Busybox, ct).ConfigureAwait(false);
        var p = Parameters;
        await new ExportSetupOperation(Engine).RunAsync(new ExportOptions
        {
            Setup = setup, ArtifactsDirectory = Artifacts, ServerContainer = p.ServerContainer, DataVolume = p.DataVolume,
            ConfigRoot = p.ConfigRoot, HelperImage = Image(ImageRole.Busybox), SecretsMode = p.Secrets, ExtraSecretKeys = p.SecretKeys,
            Archive = p.Archive, Overwrite = overwrite, AirbyteVersion = p.AirbyteVersion,
        }, Log, ct).ConfigureAwait(false);
    }

    private async Task RestoreSetupAsync(string setup, CancellationToken ct)
    {
        await NeedImageAsync(ImageRole.Busybox, ct).ConfigureAwait(false);
        using var api = new AirbyteApi(Parameters.ServerUrl, TimeSpan.FromSeconds(3));
        var p = Parameters;
        await new RestoreSetupOperation(Engine).RunAsync(new RestoreOptions
        {
            Setup = setup, ArtifactsDirectory = Artifacts, ServerContainer = p.ServerContainer, DataVolume = p.DataVolume,
            ConfigRoot = p.ConfigRoot, HelperImage = Image(ImageRole.Busybox), SecretsFile = p.SecretsFile, ForceVersion = p.ForceVersion,
            AllowMissingSecrets = p.AllowMissingSecrets, HealthProbe = api.IsHealthyAsync, HealthTimeout = Timeout,
        }, Log, ct).ConfigureAwait(false);
    }

    private async Task ExtractNormalizationAsync(CancellationToken ct)
    {
        await NeedImageAsync(ImageRole.Busybox, ct).ConfigureAwait(false);
        await new ExtractNormalizationOperation(Engine).RunAsync(new ExtractNormalizationOptions
        {
            WorkspaceVolume = Parameters.WorkspaceVolume, HelperImage = Image(ImageRole.Busybox), ArtifactsDirectory = Artifacts,
            Job = Parameters.Job, Attempt = Parameters.Attempt,
        }, Log, ct).ConfigureAwait(false);
    }

    private async Task DbtRunAsync(CancellationToken ct)
    {
        var p = Parameters;
        var result = await new DbtRunOperation(Engine).RunAsync(new DbtRunOptions
        {
            Mode = p.DbtMode, NormalizationImage = p.NormalizationImage ?? Image(ImageRole.Normalization), WorkspaceVolume = p.WorkspaceVolume,
            HelperImage = Image(ImageRole.Busybox), ArtifactsDirectory = Artifacts, ProjectDirectory = p.ProjectDir,
            Job = p.Job, Attempt = p.Attempt, DbtExecutable = p.Dbt, Timeout = TimeSpan.FromMinutes(p.DbtTimeout),
            NormalizationImageFromJobLog = p.NormalizationImage is null && p.Images == ImageSource.Official, EnsureImage = p.NormalizationImage is null ? (image, token) => NeedImagesAsync([image], token) : null,
        }, Log, ct).ConfigureAwait(false);
        result.ThrowIfFailed();
    }

    // ---- Shared pieces ----

    private ComposeOptions ComposeOptions => new(ComposeFile, Parameters.Project, Parameters.EnvFile, Parameters.ServerUrl, Timeout);

    private Task NeedImageAsync(ImageRole role, CancellationToken ct) => NeedImagesAsync([Image(role)], ct);

    private Task NeedImagesAsync(IReadOnlyList<string> images, CancellationToken ct) =>
        new ImagesOperation(Engine).RunAsync(new ImagesOptions(Parameters.Images, images, Root, Path.Combine(Artifacts, "cache", "images"), Parameters.DebianMirror), Log, ct);

    /// <summary>${NAME} in build/connections.yaml: the environment variable, else the parameter of that name (POSTGRES_PASSWORD → --postgres-password).</summary>
    private string? Variable(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value
        : ParameterDescriptor.All.FirstOrDefault(p => p.EnvironmentVariable == name || ParameterDescriptor.Normalize(p.Name) == ParameterDescriptor.Normalize(name)) is { } parameter
            ? ParameterDescriptor.Format(parameter.Property.GetValue(Parameters))
            : null;

    private static string Required(string? value, string parameter, string why) =>
        value ?? throw new ParameterException($"{why}: pass --{parameter} (or set {ParameterDescriptor.Find(parameter)!.EnvironmentVariable}).");
}
