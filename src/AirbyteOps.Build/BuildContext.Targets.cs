using AirbyteOps.Docker;
using AirbyteOps.Api;
using AirbyteOps.Build.Parameters;
using AirbyteOps.Compose;
using AirbyteOps.Destinations;
using AirbyteOps.Engine;
using AirbyteOps.Images;
using AirbyteOps.Locks;
using AirbyteOps.Postgres;
using AirbyteOps.Setups.Export;
using AirbyteOps.Setups.Secrets;
using AirbyteOps.Setups.Restore;
using AirbyteOps.Setups.Verify;
using AirbyteOps.Testing;
using AirbyteOps.Tutorial;
using AirbyteOps.Versions;
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
        new EnsureDockerOperation(Engine).RunAsync(new EnsureDockerOptions(Artifacts, Timeout) { FirstAnswer = Take(ref _engineAnswer) }, Log, ct));

    public Task Images() => RunAsync(TargetNames.Images, ct =>
    {
        if (Parameters.Images == ImageSource.Official)
        {
            Log("--images official: using registry images; nothing to build.");
            return Task.CompletedTask;
        }
        return NeedImagesAsync(ImageCatalog.All, ct);
    });

    public Task StartPostgres() => RunAsync(TargetNames.StartPostgres, ct => StartPostgresAsync(ct, Take(ref _destination)));

    public Task ComposeUp() => RunLockedAsync(TargetNames.ComposeUp, ComposeUpAsync);

    public Task WipeVolumes() => RunLockedAsync(TargetNames.WipeVolumes, WipeVolumesAsync);

    public Task CreateConnections() => RunAsync(TargetNames.CreateConnections, ct => CreateConnectionsAsync(Parameters.Connection, ct));

    public Task Sync() => RunAsync(TargetNames.Sync, ct => SyncAsync(Required(Parameters.Connection, "connection", "Sync needs a connection"), ct));

    public Task LocalData() => RunAsync(TargetNames.LocalData, LocalDataAsync);

    // Shared: it reads the deployment consistently (no writer may change it meanwhile) but changes nothing, so readers run side by side.
    public Task ExportSetup() => RunLockedAsync(TargetNames.ExportSetup, ct =>
        ExportSetupAsync(Required(Parameters.Setup, "setup", "ExportSetup needs a setup name or path"), Parameters.Overwrite, ct), LockMode.Shared);

    public Task RestoreSetup() => RunLockedAsync(TargetNames.RestoreSetup, ct =>
        RestoreSetupAsync(Required(Parameters.Setup, "setup", "RestoreSetup needs a setup name, folder or archive"), ct));

    public Task VerifySetup() => RunAsync(TargetNames.VerifySetup, ct =>
        new VerifySetupOperation().RunAsync(new VerifyOptions
        {
            Setup = Required(Parameters.Setup, "setup", "VerifySetup needs a setup name, folder or archive"), ArtifactsDirectory = Artifacts, SecretsFile = Parameters.SecretsFile,
            AirbyteVersion = NullIfEmpty(Parameters.AirbyteVersion), SkipConfigCheck = Parameters.SkipConfigCheck,
        }, Log, ct));

    public Task Logs() => RunAsync(TargetNames.Logs, async ct =>
    {
        await NeedImageAsync(ImageRole.Busybox, ct).ConfigureAwait(false);
        await AirbyteVersionAsync(ct).ConfigureAwait(false);
        await new LogsOperation(Engine).RunAsync(new LogsOptions
        {
            WorkspaceVolume = WorkspaceVolume, HelperImage = Image(ImageRole.Busybox), ListingContainers = WorkspaceListingContainers, ArtifactsDirectory = Artifacts,
            Job = Parameters.Job, Attempt = Parameters.Attempt, Copy = Parameters.Copy, Follow = Parameters.Follow,
        }, Log, ct).ConfigureAwait(false);
    });

    // Shared, like ExportSetup: a job's project is copied whole, never while a wipe or restore changes the workspace.
    public Task ExtractNormalization() => RunLockedAsync(TargetNames.ExtractNormalization, ExtractNormalizationAsync, LockMode.Shared);

    public Task DbtRun() => RunLockedAsync(TargetNames.DbtRun, DbtRunAsync, LockMode.Shared);

    public Task Tutorial() => RunLockedAsync(TargetNames.Tutorial, ct =>
        new TutorialOperation().RunAsync(new TutorialOptions(Path.Combine(Artifacts, "tutorial", "state.json"), TutorialSteps(), Parameters.Restart), Log, ct));

    public Task Test() => RunAsync(TargetNames.Test, async ct =>
    {
        var results = Path.Combine(Artifacts, "test-results");
        var summary = await new TestOperation().RunAsync(new TestOptions(Root, results, Parameters.TestFilter), Log, ct).ConfigureAwait(false);
        // build.sh prints this file last: CI reads it as the closing line.
        File.WriteAllText(Path.Combine(results, "summary.txt"), summary + Environment.NewLine);
        if (summary.Failed > 0) throw new BuildFailure($"{summary.Failed} test(s) failed; results in {results}.");
    });

    /// <summary>
    /// The tutorial, in its order; each step names the target it runs and, where it leaves a lasting effect that the
    /// rest of the tutorial keeps, how to check that effect in the world. The tutorial owns the setup names it exports.
    /// (CreateConnections exchange-rate has no check: the wipe and the restore of my-setup remove its connection on purpose.)
    /// </summary>
    internal IReadOnlyList<TutorialStep> TutorialSteps() =>
    [
        new(TargetNames.StartPostgres, null, StartPostgresAsync) { Effect = DestinationAnswersAsync },
        new(TargetNames.ComposeUp, null, ComposeUpAsync) { Effect = ServerHealthyAsync },
        new(TargetNames.ExportSetup, "my-setup", ct => ExportSetupAsync("my-setup", overwrite: true, ct)) { Effect = ct => SetupVerifiesAsync("my-setup", ct) },
        new(TargetNames.CreateConnections, "exchange-rate", ct => CreateConnectionsAsync("exchange-rate", ct)),
        new(TargetNames.Sync, "exchange-rate", ct => SyncAsync("exchange-rate", ct)) { Effect = _ => Task.FromResult(CsvMissing()) },
        new(TargetNames.LocalData, null, LocalDataAsync),
        new(TargetNames.ExportSetup, "exchange-rate-setup", ct => ExportSetupAsync("exchange-rate-setup", overwrite: true, ct)) { Effect = ct => SetupVerifiesAsync("exchange-rate-setup", ct) },
        new(TargetNames.WipeVolumes, null, WipeVolumesAsync),
        new(TargetNames.ComposeUp, null, ComposeUpAsync) { Effect = ServerHealthyAsync },
        new(TargetNames.RestoreSetup, "my-setup", ct => RestoreSetupAsync("my-setup", ct)) { Effect = ServerHealthyAsync },
        new(TargetNames.CreateConnections, "covid", ct => CreateConnectionsAsync("covid", ct)) { Effect = ct => ConnectionExistsAsync("covid", ct) },
        new(TargetNames.Sync, "covid", ct => SyncAsync("covid", ct)),
        new(TargetNames.ExtractNormalization, null, ExtractNormalizationAsync) { Effect = _ => Task.FromResult(NormalizationProjectMissing()) },
        new(TargetNames.DbtRun, null, DbtRunAsync) { Effect = NormalizedRowsAsync },
    ];

    // ---- The tutorial's effect checks: null when the effect is there, else what is missing ----

    private const string NormalizedSchema = "quarantine";
    private const string NormalizedTable = "covid_epidemiology";

    private PostgresOptions DestinationOptions => new(Parameters.PostgresContainer, Parameters.PostgresImage ?? Image(ImageRole.Postgres),
        Parameters.PostgresPort, Parameters.PostgresUser, Parameters.PostgresPassword, Parameters.PostgresDb, Timeout);

    private async Task<string?> DestinationAnswersAsync(CancellationToken ct) =>
        await PostgresProbe.QueryAsync(DestinationOptions.ConnectionString, ct).ConfigureAwait(false)
            ? null
            : $"the destination Postgres on 127.0.0.1:{Parameters.PostgresPort} does not answer a query";

    private async Task<string?> ServerHealthyAsync(CancellationToken ct)
    {
        using var api = new AirbyteApi(Parameters.ServerUrl, TimeSpan.FromSeconds(3));
        return await api.IsHealthyAsync(ct).ConfigureAwait(false) ? null : $"the Airbyte server at {Parameters.ServerUrl} is not up and healthy (compose project '{Parameters.Project}')";
    }

    private async Task<string?> SetupVerifiesAsync(string setup, CancellationToken ct)
    {
        try
        {
            await new VerifySetupOperation().RunAsync(new VerifyOptions { Setup = setup, ArtifactsDirectory = Artifacts }, _ => { }, ct).ConfigureAwait(false);
            return null;
        }
        catch (AirbyteOpsException ex)
        {
            return $"setup '{setup}' does not verify ({ex.Message.TrimEnd('.')})";
        }
    }

    private string? CsvMissing()
    {
        var csv = Path.Combine(Parameters.LocalRoot, "data", "exchange_rate_raw.csv");
        return File.Exists(csv) && new FileInfo(csv).Length > 0 ? null : $"{csv} is not there";
    }

    private async Task<string?> ConnectionExistsAsync(string connection, CancellationToken ct)
    {
        using var api = new AirbyteApi(Parameters.ServerUrl, TimeSpan.FromSeconds(3));
        await SyncOperation.FindConnectionAsync(api, connection, ct).ConfigureAwait(false); // says what is missing when it is
        return null;
    }

    private string? NormalizationProjectMissing()
    {
        var project = Path.Combine(NormalizationProject.DirectoryUnder(Artifacts), "dbt_project.yml");
        return File.Exists(project) ? null : $"{project} is not there";
    }

    private async Task<string?> NormalizedRowsAsync(CancellationToken ct) =>
        await PostgresProbe.CountRowsAsync(DestinationOptions.ConnectionString, NormalizedSchema, NormalizedTable, ct).ConfigureAwait(false) is > 0
            ? null
            : $"the normalized table {NormalizedSchema}.{NormalizedTable} in the destination has no rows (or is not there)";

    // ---- The operations the targets and the tutorial share ----

    private Task StartPostgresAsync(CancellationToken ct) => StartPostgresAsync(ct, null);

    private async Task StartPostgresAsync(CancellationToken ct, Task<DestinationLookup?>? early)
    {
        Log("File content in the local destination (may not exist yet):");
        foreach (var line in LocalRoot.Describe(Parameters.LocalRoot)) Log("  " + line);
        var checkedEarly = Take(ref _earlyImages);
        await new StartPostgresOperation(Engine).RunAsync(DestinationOptions with { EnsureImage = c => EnsureImagesAsync([Image(ImageRole.Postgres)], checkedEarly, c), Lookup = early }, Log, ct).ConfigureAwait(false);
    }

    private async Task ComposeUpAsync(CancellationToken ct)
    {
        var images = ComposeImages;
        var early = Take(ref _earlyImages);
        var look = Take(ref _composeLook) is { } looking ? await looking.ConfigureAwait(false) : null;
        await new ComposeUpOperation(Engine).RunAsync(ComposeOptions with { EnsureImages = images is null ? null : c => EnsureImagesAsync(images, early, c) }, Log, ct, look).ConfigureAwait(false);
    }

    /// <summary>The local images of a stand-in stack (null: the compose file's own images, used as they are).</summary>
    private IReadOnlyList<string>? ComposeImages =>
        Parameters.Images != ImageSource.Local ? null : IsDemoStack ? ImageCatalog.DemoStack : IsDbEraStack ? ImageCatalog.DbEraStack : null;

    /// <summary>The early check's line when it found every image current; otherwise the check (and any build) now.</summary>
    private async Task EnsureImagesAsync(IReadOnlyList<string> images, Task<string?>? early, CancellationToken ct)
    {
        if (early is not null && await early.ConfigureAwait(false) is { } upToDate)
        {
            Log(upToDate);
            return;
        }
        await NeedImagesAsync(images, ct).ConfigureAwait(false);
    }

    private async Task WipeVolumesAsync(CancellationToken ct)
    {
        var early = Take(ref _wipePlan) is { } look ? await look.ConfigureAwait(false) : null;
        await new WipeVolumesOperation(Engine).RunAsync(ComposeOptions, Log, ct, early).ConfigureAwait(false);
    }

    private async Task CreateConnectionsAsync(string? only, CancellationToken ct)
    {
        await AirbyteVersionAsync(ct).ConfigureAwait(false);
        using var api = new AirbyteApi(Parameters.ServerUrl, basicAuth: Compose?.BasicAuth);
        await new CreateConnectionsOperation(api).RunAsync(new CreateConnectionsOptions(DescriptionsFile, only, Variable) { SyncMode = Parameters.SyncMode }, Log, ct).ConfigureAwait(false);
    }

    private async Task SyncAsync(string connection, CancellationToken ct)
    {
        var version = await AirbyteVersionAsync(ct).ConfigureAwait(false);
        using var api = new AirbyteApi(Parameters.ServerUrl, basicAuth: Compose?.BasicAuth);
        await new SyncOperation(api).RunAsync(new SyncOptions(connection, Timeout) { AirbyteVersion = version }, Log, ct).ConfigureAwait(false);
    }

    private async Task LocalDataAsync(CancellationToken ct)
    {
        await NeedImageAsync(ImageRole.Busybox, ct).ConfigureAwait(false);
        await new LocalDataOperation(Engine).RunAsync(new LocalDataOptions(Parameters.LocalRoot, Image(ImageRole.Busybox)), Log, ct).ConfigureAwait(false);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private async Task ExportSetupAsync(string setup, bool overwrite, CancellationToken ct)
    {
        // The helper image's check runs beside the version's look-up and the operation's own (all reads); the operation awaits
        // it before it pauses the writers or reads anything.
        var images = NeedImageAsync(ImageRole.Busybox, ct).Observe();
        var p = Parameters;
        var version = await AirbyteVersionAsync(ct).ConfigureAwait(false);
        using var api = new AirbyteApi(p.ServerUrl, TimeSpan.FromSeconds(3), basicAuth: Compose?.BasicAuth);
        var server = new ServerConnectorSpecs(api, Log);
        var specs = new ConnectorSpecSources(server, p.ConnectorSpecs is null ? null : new ConnectorSpecFolder(p.ConnectorSpecs));
        await new ExportSetupOperation(Engine).RunAsync(ExportSetupOptions(setup, overwrite, version) with { ConnectorSpecs = specs.FindAsync, PrefetchConnectorSpecs = server.PrefetchAsync, EnsureImages = _ => images }, Log, ct).ConfigureAwait(false);
    }

    /// <summary>ExportSetup's options from the parameters (the connector specs are added by the target, which has the API).</summary>
    internal ExportOptions ExportSetupOptions(string setup, bool overwrite, string? version)
    {
        var p = Parameters;
        return new ExportOptions
        {
            Setup = setup, ArtifactsDirectory = Artifacts, ServerContainer = p.ServerContainer, DataVolume = SetupDataVolume,
            ConfigRoot = p.ConfigRoot, HelperImage = Image(ImageRole.Busybox), SecretsMode = p.Secrets, ExtraSecretKeys = p.SecretKeys,
            Archive = p.Archive, Overwrite = overwrite, AirbyteVersion = version, SkipConfigCheck = p.SkipConfigCheck,
            DatabaseContainer = NullIfEmpty(p.DbContainer), SchedulerContainer = NullIfEmpty(p.SchedulerContainer),
            ComposeHosts = ComposeHosts, ExtraWriters = DbEraWriters,
            IncludeLogs = ExportOptions.IncludesLogs(p.Include), WorkspaceVolume = ExportOptions.IncludesLogs(p.Include) ? WorkspaceVolume : "airbyte_workspace",
            VolumeAccess = p.VolumeAccess,
        };
    }

    private async Task RestoreSetupAsync(string setup, CancellationToken ct)
    {
        await NeedImageAsync(ImageRole.Busybox, ct).ConfigureAwait(false);
        var version = await AirbyteVersionAsync(ct).ConfigureAwait(false);
        using var api = new AirbyteApi(Parameters.ServerUrl, TimeSpan.FromSeconds(3), basicAuth: Compose?.BasicAuth);
        await new RestoreSetupOperation(Engine).RunAsync(RestoreSetupOptions(setup, version) with { HealthProbe = api.IsHealthyAsync }, Log, ct).ConfigureAwait(false);
    }

    /// <summary>RestoreSetup's options from the parameters (the health probe is added by the target, which has the API).</summary>
    internal RestoreOptions RestoreSetupOptions(string setup, string? version)
    {
        var p = Parameters;
        return new RestoreOptions
        {
            Setup = setup, ArtifactsDirectory = Artifacts, ServerContainer = p.ServerContainer, DataVolume = SetupDataVolume,
            ConfigRoot = p.ConfigRoot, HelperImage = Image(ImageRole.Busybox), SecretsFile = p.SecretsFile, ForceVersion = p.ForceVersion,
            AllowMissingSecrets = p.AllowMissingSecrets, HealthTimeout = Timeout, SkipConfigCheck = p.SkipConfigCheck,
            AirbyteVersion = version,
            DatabaseContainer = NullIfEmpty(p.DbContainer), SchedulerContainer = NullIfEmpty(p.SchedulerContainer), ForcePostgresMajor = p.ForcePostgresMajor,
            ComposeHosts = ComposeHosts, ExtraWriters = DbEraWriters, ConfigApi = new AirbyteOps.Setups.DbEra.ConfigApi(p.ServerUrl, Compose?.BasicAuth),
            WorkspaceVolume = TryWorkspaceVolume() ?? "airbyte_workspace", VolumeAccess = p.VolumeAccess,
        };
    }

    private async Task ExtractNormalizationAsync(CancellationToken ct)
    {
        await NeedImageAsync(ImageRole.Busybox, ct).ConfigureAwait(false);
        await AirbyteVersionAsync(ct).ConfigureAwait(false);
        await new ExtractNormalizationOperation(Engine).RunAsync(new ExtractNormalizationOptions
        {
            WorkspaceVolume = WorkspaceVolume, HelperImage = Image(ImageRole.Busybox), ListingContainers = WorkspaceListingContainers, ArtifactsDirectory = Artifacts,
            Job = Parameters.Job, Attempt = Parameters.Attempt,
        }, Log, ct).ConfigureAwait(false);
    }

    private async Task DbtRunAsync(CancellationToken ct)
    {
        var p = Parameters;
        var version = await AirbyteVersionAsync(ct).ConfigureAwait(false);
        var result = await new DbtRunOperation(Engine).RunAsync(new DbtRunOptions
        {
            Mode = p.DbtMode, NormalizationImage = p.NormalizationImage ?? Image(ImageRole.Normalization), WorkspaceVolume = WorkspaceVolume,
            HelperImage = Image(ImageRole.Busybox), ListingContainers = WorkspaceListingContainers, ArtifactsDirectory = Artifacts, ProjectDirectory = p.ProjectDir,
            Job = p.Job, Attempt = p.Attempt, DbtExecutable = p.Dbt, Timeout = TimeSpan.FromMinutes(p.DbtTimeout),
            NormalizationImageFromJobLog = p.NormalizationImage is null && p.Images == ImageSource.Official, AirbyteVersion = version, EnsureImage = p.NormalizationImage is null ? (image, token) => NeedImagesAsync([image], token) : null,
        }, Log, ct).ConfigureAwait(false);
        result.ThrowIfFailed();
    }

    // ---- Shared pieces ----

    /// <summary>The deployment's containers that mount the workspace volume: a workspace listing runs in the first one that is up (docker exec) instead of starting a helper container.</summary>
    private IReadOnlyList<string> WorkspaceListingContainers => NullIfEmpty(Parameters.SchedulerContainer) is { } scheduler ? [Parameters.ServerContainer, scheduler] : [Parameters.ServerContainer];

    /// <summary>
    /// <see cref="RunAsync"/> holding the deployment's lock (its compose project on this engine endpoint) for the whole
    /// target, exclusive (it changes the deployment) or shared (it reads it consistently): a process whose mode the
    /// holders exclude waits up to --lock-timeout, then fails naming them. The table is in README.md.
    /// </summary>
    private Task RunLockedAsync(string target, Func<CancellationToken, Task> work, LockMode mode = LockMode.Exclusive) => RunAsync(target, async ct =>
    {
        using var held = TakeEarlyLock(mode)
            ?? await DeploymentLock.AcquireAsync(LockPath, LockName, target, TimeSpan.FromSeconds(Parameters.LockTimeout), Log, ct, mode).ConfigureAwait(false);
        await work(ct).ConfigureAwait(false);
    });

    private string LockPath => DeploymentLock.PathFor(Engine.Endpoint.ToString(), Parameters.Project);

    private string LockName => $"'{Parameters.Project}' on {Engine.Endpoint}";

    /// <summary>
    /// The deployment's Airbyte version (--airbyte-version, else the server container's AIRBYTE_VERSION, else its image
    /// tag), detected once per run and said once; null when it cannot be told.
    /// </summary>
    private async Task<string?> AirbyteVersionAsync(CancellationToken ct)
    {
        if (_version is null)
        {
            _version = await AirbyteVersionDetection.DetectAsync(Engine, Parameters.ServerContainer, Parameters.AirbyteVersion, ct).ConfigureAwait(false);
            Log(_version.ToString());
        }
        return _version.Version;
    }

    private DetectedVersion? _version;

    /// <summary>
    /// The volume behind CONFIG_ROOT (ExportSetup, RestoreSetup): --data-volume, else the one the deployment's compose
    /// file mounts there, named as docker-compose names it.
    /// </summary>
    public string DataVolume => NullIfEmpty(Parameters.DataVolume) ?? DeploymentCompose.DataVolume(Parameters.ServerContainer, Parameters.ConfigRoot);

    /// <summary>
    /// The job workspace volume (Logs, ExtractNormalization, DbtRun): --workspace-volume, else the one the compose file
    /// mounts at WORKSPACE_ROOT (the real 0.7.1 release's is <c>workspace</c>, the tutorial's <c>airbyte_workspace</c>).
    /// </summary>
    public string WorkspaceVolume => NullIfEmpty(Parameters.WorkspaceVolume) ?? DeploymentCompose.WorkspaceVolume(WorkspaceListingContainers);

    /// <summary>
    /// The data volume as ExportSetup and RestoreSetup get it: --data-volume, else the compose file's, else null. A
    /// database-era deployment (0.30 – 0.63) needs none, and its compose file may mount none; the files path, which does
    /// need it, says to pass --data-volume when the server mounts no volume at CONFIG_ROOT and none is named. A compose
    /// file that cannot be read still fails here, saying why.
    /// </summary>
    internal string? SetupDataVolume => NullIfEmpty(Parameters.DataVolume) ?? DeploymentCompose.TryDataVolume(Parameters.ServerContainer, Parameters.ConfigRoot);

    /// <summary>
    /// The workspace volume where only a setup that holds job logs needs it (RestoreSetup): null when neither
    /// --workspace-volume nor a readable compose file names it (the logs restore then says which parameter to pass).
    /// </summary>
    private string? TryWorkspaceVolume()
    {
        if (NullIfEmpty(Parameters.WorkspaceVolume) is { } given) return given;
        try { return DeploymentCompose.TryWorkspaceVolume(WorkspaceListingContainers); }
        catch (ParameterException) { return null; }
    }

    /// <summary>The deployment's compose file, read once per run (it names the volumes).</summary>
    private AirbyteOps.Compose.ComposeFile DeploymentCompose => Compose ?? (File.Exists(ComposeFile)
        ? AirbyteOps.Compose.ComposeFile.Load(ComposeFile, Parameters.Project, Parameters.EnvFile) // throws saying why it cannot be read
        : throw new ParameterException($"Compose file '{ComposeFile}' does not exist, and it names the deployment's volumes: pass --compose-file with your deployment's docker-compose.yaml, or --data-volume and --workspace-volume."));

    /// <summary>The --compose-file as read (services, .env's basic auth), or null when it cannot be read (a deployment not started from it).</summary>
    private AirbyteOps.Compose.ComposeFile? Compose
    {
        get
        {
            if (_composeRead) return _compose;
            _composeRead = true;
            try
            {
                _compose = AirbyteOps.Compose.ComposeFile.Load(ComposeFile, Parameters.Project, Parameters.EnvFile);
            }
            catch (AirbyteOpsException)
            {
                _compose = null;
            }
            return _compose;
        }
    }

    private AirbyteOps.Compose.ComposeFile? _compose;
    private bool _composeRead;

    /// <summary>The compose project's host names (services and container names): a DATABASE_URL host outside them is an external database.</summary>
    private IReadOnlyCollection<string>? ComposeHosts => Compose is { } file ? file.Services.SelectMany(s => new[] { s.Name, file.ContainerNameOf(s) }).Distinct().ToList() : null;

    /// <summary>The compose project's containers that write Airbyte's database (worker, cron, temporal, ...): held with the server in the database era.</summary>
    private IReadOnlyList<string> DbEraWriters => Compose is { } file
        ? file.Services.Select(file.ContainerNameOf).Where(n => AirbyteOps.Setups.DbEra.DbEraWriters.Known.Contains(n)).ToList()
        : [];

    private ComposeOptions ComposeOptions => new(ComposeFile, Parameters.Project, Parameters.EnvFile, Parameters.ServerUrl, Timeout)
    {
        DatabaseContainer = NullIfEmpty(Parameters.DbContainer),
    };

    private Task NeedImageAsync(ImageRole role, CancellationToken ct) => NeedImagesAsync([Image(role)], ct);

    private Task NeedImagesAsync(IReadOnlyList<string> images, CancellationToken ct) =>
        new ImagesOperation(Engine).RunAsync(ImagesOptionsFor(images), Log, ct);

    private ImagesOptions ImagesOptionsFor(IReadOnlyList<string> images) =>
        new(Parameters.Images, images, Root, Path.Combine(Artifacts, "cache", "images"), Parameters.DebianMirror);

    /// <summary>${NAME} in build/connections.yaml: the environment variable, else the parameter of that name (POSTGRES_PASSWORD → --postgres-password).</summary>
    private string? Variable(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value
        : ParameterDescriptor.All.FirstOrDefault(p => p.EnvironmentVariable == name || ParameterDescriptor.Normalize(p.Name) == ParameterDescriptor.Normalize(name)) is { } parameter
            ? ParameterDescriptor.Format(parameter.Property.GetValue(Parameters))
            : null;

    private static string Required(string? value, string parameter, string why) =>
        value ?? throw new ParameterException($"{why}: pass --{parameter} (or set {ParameterDescriptor.Find(parameter)!.EnvironmentVariable}).");
}
