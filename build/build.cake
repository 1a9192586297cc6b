// The table of contents of the build. Part 1 reads the parameters; part 2 names each operation (a few
// lines calling one typed operation of the libraries under src/, where the tests reach the logic);
// part 3 lists the targets: what each depends on and which operation it runs.
#r "../.build/lib/AirbyteOps.Docker.dll"
#r "../.build/lib/AirbyteOps.dll"
#r "../.build/lib/AirbyteOps.Setups.dll"
#r "../.build/lib/AirbyteOps.Workspace.dll"
#r "../.build/lib/Npgsql.dll"

using AirbyteOps.Api;
using AirbyteOps.Compose;
using AirbyteOps.Destinations;
using AirbyteOps.Docker;
using AirbyteOps.Engine;
using AirbyteOps.Images;
using AirbyteOps.Parameters;
using AirbyteOps.Postgres;
using AirbyteOps.Setups;
using AirbyteOps.Testing;
using AirbyteOps.Tutorial;
using AirbyteOps.Workspace;
using Task = System.Threading.Tasks.Task;

// ---- 1. Parameters: command line, then environment variable, then build/parameters.json ----
var Root = MakeAbsolute(Directory("..")).FullPath;
var P = new ParameterSet(
    name => HasArgument(name) ? Argument<string>(name) : null,
    Environment.GetEnvironmentVariable,
    ParameterSet.LoadDefaults(System.IO.Path.Combine(Root, "build", "parameters.json")));
var Artifacts = System.IO.Path.GetFullPath(System.IO.Path.Combine(Root, P.Get("artifacts")));
var Timeout = P.GetSeconds("timeout");
var Images = ImageCatalog.ParseSource(P.Get("images"));
var ServerUrl = new Uri(P.Get("server-url"));
Action<string> Log = line => Information("{0}", line);

DockerEngine engine = null;
DockerEngine Engine() => engine ??= DockerEngine.Connect(P.GetOrNull("docker-host"));
string Image(ImageRole role) => ImageCatalog.Resolve(role, Images);
string ComposeFilePath() => System.IO.Path.GetFullPath(System.IO.Path.Combine(Root, P.Get("compose-file")));
bool IsDemoStack() => ComposeFilePath() == System.IO.Path.Combine(Root, "src", "StandIns", "DemoStack", "docker-compose.yaml");
ComposeOptions Compose() => new ComposeOptions(ComposeFilePath(), P.Get("project"), P.GetOrNull("env-file"), ServerUrl, Timeout);
long? Number(string name) => P.GetOrNull(name) is { } v ? long.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : null;
string Required(string name, string why) => P.GetOrNull(name) ?? throw new ArgumentException($"{why}: pass --{name} (or set {ParameterCatalog.Find(name).EnvironmentVariable}).");
ImageBuildContext ImageContext() => new ImageBuildContext(Engine(), Root, System.IO.Path.Combine(Artifacts, "cache", "images"), P.GetOrNull("debian-mirror") ?? LocalImages.DetectDebianMirror());
string Variable(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v
    : ParameterCatalog.Everything.FirstOrDefault(p => p.EnvironmentVariable == name || p.Name == name.ToLowerInvariant().Replace('_', '-')) is { } p ? P.Get(p.Name) : null;

// ---- 2. Operations ----
async Task NeedImage(ImageRole role)
{
    if (Images == ImageSource.Local) await LocalImages.EnsureAsync(ImageContext(), ImageCatalog.Closure(Image(role)), Log);
    else await LocalImages.RequireAsync(Engine(), Image(role), Images, Log);
}

async Task StartPostgres()
{
    Log("File content in the local destination (may not exist yet):");
    foreach (var line in LocalRoot.Describe(P.Get("local-root"))) Log("  " + line);
    await NeedImage(ImageRole.Postgres);
    await PostgresDestination.StartAsync(Engine(), new PostgresOptions(P.Get("postgres-container"), P.GetOrNull("postgres-image") ?? Image(ImageRole.Postgres),
        P.GetInt("postgres-port"), P.Get("postgres-user"), P.Get("postgres-password"), P.Get("postgres-db"), Timeout), Log);
}

async Task ComposeUp()
{
    if (IsDemoStack() && Images == ImageSource.Local) await LocalImages.EnsureAsync(ImageContext(), ImageCatalog.DemoStack, Log);
    await ComposeProject.UpAsync(Engine(), Compose(), Log);
}

async Task CreateConnections(string only)
{
    var all = ConnectionCatalog.Load(System.IO.Path.Combine(Root, "build", "connections.yaml"), Variable);
    var wanted = only is null ? all.ToList() : all.Where(c => c.Name == only).ToList();
    if (wanted.Count == 0) throw new ArgumentException($"No connection '{only}' in build/connections.yaml; it has: {string.Join(", ", all.Select(c => c.Name))}.");
    using var api = new AirbyteApi(ServerUrl);
    await ConnectionCatalog.CreateAsync(api, wanted, Log);
}

Task Sync(string connection) => ConnectionSync.RunAsync(new SyncOptions(connection, ServerUrl, Timeout), Log);

async Task ExportSetup(string setup, bool overwrite)
{
    await NeedImage(ImageRole.Busybox);
    await new SetupExporter(Engine()).ExportAsync(new ExportOptions
    {
        Setup = setup, ArtifactsDirectory = Artifacts, ServerContainer = P.Get("server-container"), DataVolume = P.Get("data-volume"),
        ConfigRoot = P.Get("config-root"), HelperImage = Image(ImageRole.Busybox),
        SecretsMode = P.Get("secrets") switch { "inline" => SecretsMode.Inline, "sidecar" => SecretsMode.Sidecar, var s => throw new ArgumentException($"--secrets must be 'sidecar' or 'inline', not '{s}'.") },
        ExtraSecretKeys = P.Get("secret-keys").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        Archive = P.GetBool("archive"), Overwrite = overwrite, AirbyteVersion = P.GetOrNull("airbyte-version"),
    }, Log);
}

async Task RestoreSetup(string setup)
{
    await NeedImage(ImageRole.Busybox);
    using var api = new AirbyteApi(ServerUrl, TimeSpan.FromSeconds(3));
    await new SetupRestorer(Engine()).RestoreAsync(new RestoreOptions
    {
        Setup = setup, ArtifactsDirectory = Artifacts, ServerContainer = P.Get("server-container"), DataVolume = P.Get("data-volume"),
        ConfigRoot = P.Get("config-root"), HelperImage = Image(ImageRole.Busybox),
        SecretsFile = P.GetOrNull("secrets-file"), ForceVersion = P.GetBool("force-version"), AllowMissingSecrets = P.GetBool("allow-missing-secrets"),
        HealthProbe = api.IsHealthyAsync, HealthTimeout = Timeout,
    }, Log);
}

async Task ShowLocalData()
{
    await NeedImage(ImageRole.Busybox);
    await LocalData.ShowAsync(Engine(), P.Get("local-root"), Image(ImageRole.Busybox), Log);
}

async Task ExtractNormalization()
{
    await NeedImage(ImageRole.Busybox);
    await NormalizationExtractor.ExtractAsync(new ExtractNormalizationOptions
    {
        WorkspaceVolume = P.Get("workspace-volume"), HelperImage = Image(ImageRole.Busybox), ArtifactsDirectory = Artifacts,
        Job = Number("job"), Attempt = Number("attempt"), DockerHost = P.GetOrNull("docker-host"),
    }, Log);
}

async Task DbtRun()
{
    var mode = P.Get("dbt-mode") switch { "container" => DbtMode.Container, "local" => DbtMode.Local, var m => throw new ArgumentException($"--dbt-mode must be 'container' or 'local', not '{m}'.") };
    if (mode == DbtMode.Container && P.GetOrNull("normalization-image") is null) await NeedImage(ImageRole.Normalization);
    var result = await DbtRunner.RunAsync(new DbtRunOptions
    {
        Mode = mode, NormalizationImage = P.GetOrNull("normalization-image") ?? Image(ImageRole.Normalization), WorkspaceVolume = P.Get("workspace-volume"),
        HelperImage = Image(ImageRole.Busybox), ArtifactsDirectory = Artifacts, ProjectDirectory = P.GetOrNull("project-dir"),
        Job = Number("job"), Attempt = Number("attempt"), DbtExecutable = P.Get("dbt"), DockerHost = P.GetOrNull("docker-host"),
    }, Log);
    result.ThrowIfFailed();
}

// The tutorial, in its order. The tutorial owns the setup names it exports, so re-running it after --restart replaces them.
IReadOnlyList<TutorialStep> TutorialSteps() => new List<TutorialStep>
{
    new("StartPostgres", _ => StartPostgres()),
    new("ComposeUp", _ => ComposeUp()),
    new("ExportSetup my-setup", _ => ExportSetup("my-setup", overwrite: true)),
    new("CreateConnections exchange-rate", _ => CreateConnections("exchange-rate")),
    new("Sync exchange-rate", _ => Sync("exchange-rate")),
    new("LocalData", _ => ShowLocalData()),
    new("ExportSetup exchange-rate-setup", _ => ExportSetup("exchange-rate-setup", overwrite: true)),
    new("WipeVolumes", _ => ComposeProject.WipeAsync(Engine(), Compose(), Log)),
    new("ComposeUp", _ => ComposeUp()),
    new("RestoreSetup my-setup", _ => RestoreSetup("my-setup")),
    new("CreateConnections covid", _ => CreateConnections("covid")),
    new("Sync covid", _ => Sync("covid")),
    new("ExtractNormalization", _ => ExtractNormalization()),
    new("DbtRun", _ => DbtRun()),
};

Teardown(_ => engine?.Dispose());

// ---- 3. Targets ----
Task("Help")
    .Description("List the targets and the parameters with their defaults")
    .Does(() =>
{
    Log("Usage: ./build.sh <Target> [<Target> ...] [--parameter value ...]   (Cake options: --tree, --dryrun, --exclusive, --verbosity=<level>)");
    Log("");
    Log("Targets:");
    foreach (var task in Tasks.OrderBy(t => t.Name))
        Log($"  {task.Name,-22} {task.Description}" + (task.Dependencies.Count > 0 ? $" (after {string.Join(", ", task.Dependencies.Select(d => d.Name))})" : ""));
    Log("");
    Log("Parameters (command line, then environment variable, then build/parameters.json):");
    Log(P.Help());
});

Task("EnsureDocker")
    .Description("Make sure a Docker engine answers: start dockerd, or install docker.io with apt-get (root on Debian)")
    .Does(async () => engine = await DockerProvisioner.EnsureAsync(new EnsureDockerOptions(P.GetOrNull("docker-host"), Artifacts, Timeout), Log));

Task("Images")
    .Description("Build every local image from Debian packages and the project's sources (reuses what is current; never pulls)")
    .IsDependentOn("EnsureDocker")
    .Does(async () =>
{
    if (Images == ImageSource.Official) { Log("--images official: using registry images; nothing to build."); return; }
    await LocalImages.EnsureAsync(ImageContext(), ImageCatalog.Local, Log);
});

Task("StartPostgres")
    .Description("Start the destination Postgres on 127.0.0.1 (tutorial step 1) and wait until it answers a query")
    .IsDependentOn("EnsureDocker")
    .Does(StartPostgres);

Task("ComposeUp")
    .Description("Bring the Airbyte compose project up (the demo stack by default) and wait until the server's health says ready")
    .IsDependentOn("EnsureDocker")
    .Does(ComposeUp);

Task("WipeVolumes")
    .Description("docker-compose down -v, explained: list the containers, network and volumes it removes and the bind mounts it keeps, then remove them")
    .IsDependentOn("EnsureDocker")
    .Does(async () => await ComposeProject.WipeAsync(Engine(), Compose(), Log));

Task("CreateConnections")
    .Description("Create the tutorial's sources, destinations and connections from build/connections.yaml through the API (idempotent; --connection picks one)")
    .Does(() => CreateConnections(P.GetOrNull("connection")));

Task("Sync")
    .Description("Run a sync of --connection (name or id) through the Airbyte API and wait for its job; prints the attempt's log")
    .Does(() => Sync(Required("connection", "Sync needs a connection")));

Task("LocalData")
    .Description("List what the local-file destination wrote, on the host and from inside a container")
    .IsDependentOn("EnsureDocker")
    .Does(ShowLocalData);

Task("ExportSetup")
    .Description("Save the server's CONFIG_ROOT as a setup (files + manifest with SHA-256s; secrets to a 0600 sidecar file), from the server or its data volume")
    .IsDependentOn("EnsureDocker")
    .Does(() => ExportSetup(Required("setup", "ExportSetup needs a setup name or path"), P.GetBool("overwrite")));

Task("RestoreSetup")
    .Description("Put a saved setup back: validate, snapshot the live configuration, stage in the volume, swap, verify; roll back on any failure")
    .IsDependentOn("ComposeUp")
    .Does(() => RestoreSetup(Required("setup", "RestoreSetup needs a setup name, folder or archive")));

Task("Logs")
    .Description("List the jobs and attempts of the workspace volume, newest first; --job N [--attempt M] prints (or --copy copies) that attempt's log")
    .IsDependentOn("EnsureDocker")
    .Does(async () =>
{
    await NeedImage(ImageRole.Busybox);
    await LogsOperation.RunAsync(new LogsOptions
    {
        WorkspaceVolume = P.Get("workspace-volume"), HelperImage = Image(ImageRole.Busybox), ArtifactsDirectory = Artifacts,
        Job = Number("job"), Attempt = Number("attempt"), Copy = P.GetBool("copy"), Follow = P.GetBool("follow"), DockerHost = P.GetOrNull("docker-host"),
    }, Log);
});

Task("ExtractNormalization")
    .Description("Copy the newest job's normalize/ dbt project (by job number, or --job/--attempt) out of the workspace volume into <artifacts>/normalization")
    .IsDependentOn("EnsureDocker")
    .Does(ExtractNormalization);

Task("DbtRun")
    .Description("dbt debug, then dbt run on the normalization project against the destination, in the normalization image or with a local dbt")
    .IsDependentOn("ExtractNormalization")
    .IsDependentOn("StartPostgres")
    .Does(DbtRun);

Task("Tutorial")
    .Description("The whole tutorial on the demo stack, resumable: finished steps are not redone (--restart starts over); ends with a table of steps")
    .IsDependentOn("EnsureDocker")
    .Does(async () =>
{
    var state = System.IO.Path.Combine(Artifacts, "tutorial", "state.json");
    if (P.GetBool("restart")) TutorialRunner.Reset(state);
    await TutorialRunner.RunAsync(state, TutorialSteps(), Log);
});

Task("Test")
    .Description("Provision the engine and local images, run the unit and integration tests, print 'N passed, N failed, N skipped'")
    .IsDependentOn("Images")
    .Does(async () =>
{
    var results = System.IO.Path.Combine(Artifacts, "test-results");
    var summary = await TestRun.RunAsync(Root, results, P.GetOrNull("test-filter"), Log);
    System.IO.File.WriteAllText(System.IO.Path.Combine(results, "summary.txt"), summary + Environment.NewLine);
    if (summary.Failed > 0) throw new Exception($"{summary.Failed} test(s) failed; results in {results}.");
});

RunTargets(Arguments<string>("target", new[] { "Help" }));
