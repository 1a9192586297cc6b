// The table of contents of the build: each target says what it depends on and calls one typed
// operation of the libraries under src/ (where the tests reach the logic).
#r "../.build/lib/AirbyteOps.Docker.dll"
#r "../.build/lib/AirbyteOps.dll"
#r "../.build/lib/AirbyteOps.Setups.dll"
#r "../.build/lib/AirbyteOps.Workspace.dll"
#r "../.build/lib/Npgsql.dll"

using AirbyteOps.Api;
using AirbyteOps.Compose;
using AirbyteOps.Docker;
using AirbyteOps.Engine;
using AirbyteOps.Images;
using AirbyteOps.Parameters;
using AirbyteOps.Postgres;
using AirbyteOps.Destinations;
using AirbyteOps.Setups;
using AirbyteOps.Testing;
using AirbyteOps.Workspace;

var Root = MakeAbsolute(Directory("..")).FullPath;
var P = new ParameterSet(
    name => HasArgument(name) ? Argument<string>(name) : null,
    Environment.GetEnvironmentVariable,
    ParameterSet.LoadDefaults(System.IO.Path.Combine(Root, "build", "parameters.json")));
var Artifacts = System.IO.Path.GetFullPath(System.IO.Path.Combine(Root, P.Get("artifacts")));
var Timeout = P.GetSeconds("timeout");
var Images = ImageCatalog.ParseSource(P.Get("images"));
Action<string> Log = line => Information("{0}", line);

DockerEngine engine = null;
DockerEngine Engine() => engine ??= DockerEngine.Connect(P.GetOrNull("docker-host"));
ImageBuildContext ImageContext() => new ImageBuildContext(Engine(), Root, System.IO.Path.Combine(Artifacts, "cache", "images"), P.GetOrNull("debian-mirror") ?? LocalImages.DetectDebianMirror());

PostgresOptions Postgres() => new PostgresOptions(
    P.Get("postgres-container"),
    P.GetOrNull("postgres-image") ?? ImageCatalog.Resolve(ImageRole.Postgres, Images),
    P.GetInt("postgres-port"), P.Get("postgres-user"), P.Get("postgres-password"), P.Get("postgres-db"), Timeout);

string ComposeFilePath() => System.IO.Path.GetFullPath(System.IO.Path.Combine(Root, P.Get("compose-file")));
bool IsDemoStack() => ComposeFilePath() == System.IO.Path.Combine(Root, "src", "demo-stack", "docker-compose.yaml");
ComposeOptions Compose() => new ComposeOptions(ComposeFilePath(), P.Get("project"), P.GetOrNull("env-file"), new Uri(P.Get("server-url")), Timeout);

async System.Threading.Tasks.Task NeedImage(ImageRole role)
{
    if (Images == ImageSource.Local) await LocalImages.EnsureAsync(ImageContext(), ImageCatalog.Closure(ImageCatalog.Resolve(role, Images)), Log);
    else await LocalImages.RequireAsync(Engine(), ImageCatalog.Resolve(role, Images), Images, Log);
}

Teardown(_ => engine?.Dispose());

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
    .Does(async () =>
{
    Log("File content in the local destination (may not exist yet):");
    foreach (var line in LocalRoot.Describe(P.Get("local-root"))) Log("  " + line);
    await NeedImage(ImageRole.Postgres);
    await PostgresDestination.StartAsync(Engine(), Postgres(), Log);
});

Task("ComposeUp")
    .Description("Bring the Airbyte compose project up (the demo stack by default) and wait until the server's health says ready")
    .IsDependentOn("EnsureDocker")
    .Does(async () =>
{
    if (IsDemoStack() && Images == ImageSource.Local) await LocalImages.EnsureAsync(ImageContext(), ImageCatalog.DemoStack, Log);
    await ComposeProject.UpAsync(Engine(), Compose(), Log);
});

Task("WipeVolumes")
    .Description("docker-compose down -v, explained: list the containers, network and volumes it removes and the bind mounts it keeps, then remove them")
    .IsDependentOn("EnsureDocker")
    .Does(async () => await ComposeProject.WipeAsync(Engine(), Compose(), Log));

Task("Sync")
    .Description("Run a sync of --connection (name or id) through the Airbyte API, print its log as it grows, wait for the job")
    .Does(async () => await ConnectionSync.RunAsync(new SyncOptions(P.GetOrNull("connection") ?? throw new ArgumentException("Sync needs --connection NAME (or AIRBYTEOPS_CONNECTION)."), new Uri(P.Get("server-url")), Timeout), Log));

Task("CreateConnections")
    .Description("Create the tutorial's sources, destinations and connections from build/connections.yaml through the API (idempotent; --connection picks one)")
    .Does(async () =>
{
    var all = ConnectionCatalog.Load(System.IO.Path.Combine(Root, "build", "connections.yaml"), name =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : ParameterCatalog.Everything.FirstOrDefault(p => p.EnvironmentVariable == name || p.Name == name.ToLowerInvariant().Replace('_', '-')) is { } p ? P.Get(p.Name) : null);
    var wanted = P.GetOrNull("connection") is { } one ? all.Where(c => c.Name == one).ToList() : all.ToList();
    if (wanted.Count == 0) throw new ArgumentException($"No connection '{P.Get("connection")}' in build/connections.yaml; it has: {string.Join(", ", all.Select(c => c.Name))}.");
    using var api = new AirbyteApi(new Uri(P.Get("server-url")));
    await ConnectionCatalog.CreateAsync(api, wanted, Log);
});

string SetupName() => P.GetOrNull("setup") ?? throw new ArgumentException("Pass --setup NAME (a name under artifacts/setups, or a path to a setup folder or archive).");

Task("ExportSetup")
    .Description("Save the server's CONFIG_ROOT as a setup (files + manifest with SHA-256s; secrets to a 0600 sidecar file), from the server or its data volume")
    .IsDependentOn("EnsureDocker")
    .Does(async () =>
{
    await NeedImage(ImageRole.Busybox);
    await new SetupExporter(Engine()).ExportAsync(new ExportOptions
    {
        Setup = SetupName(), ArtifactsDirectory = Artifacts, ServerContainer = P.Get("server-container"), DataVolume = P.Get("data-volume"),
        ConfigRoot = P.Get("config-root"), HelperImage = ImageCatalog.Resolve(ImageRole.Busybox, Images),
        SecretsMode = P.Get("secrets") == "inline" ? SecretsMode.Inline : P.Get("secrets") == "sidecar" ? SecretsMode.Sidecar : throw new ArgumentException("--secrets must be 'sidecar' or 'inline'."),
        ExtraSecretKeys = P.Get("secret-keys").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        Archive = P.GetBool("archive"), Overwrite = P.GetBool("overwrite"), AirbyteVersion = P.GetOrNull("airbyte-version"),
    }, Log);
});

Task("RestoreSetup")
    .Description("Put a saved setup back: validate, snapshot the live configuration, stage in the volume, swap, verify; roll back on any failure")
    .IsDependentOn("ComposeUp")
    .Does(async () =>
{
    using var api = new AirbyteApi(new Uri(P.Get("server-url")), TimeSpan.FromSeconds(3));
    await new SetupRestorer(Engine()).RestoreAsync(new RestoreOptions
    {
        Setup = SetupName(), ArtifactsDirectory = Artifacts, ServerContainer = P.Get("server-container"), DataVolume = P.Get("data-volume"),
        ConfigRoot = P.Get("config-root"), HelperImage = ImageCatalog.Resolve(ImageRole.Busybox, Images),
        SecretsFile = P.GetOrNull("secrets-file"), ForceVersion = P.GetBool("force-version"), AllowMissingSecrets = P.GetBool("allow-missing-secrets"),
        HealthProbe = api.IsHealthyAsync, HealthTimeout = Timeout,
    }, Log);
});

long? JobNumber(string name) => P.GetOrNull(name) is { } v ? long.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : null;

Task("Logs")
    .Description("List the jobs and attempts of the workspace volume, newest first; --job N [--attempt M] prints (or --copy copies) that attempt's log")
    .IsDependentOn("EnsureDocker")
    .Does(async () =>
{
    await NeedImage(ImageRole.Busybox);
    await LogsOperation.RunAsync(new LogsOptions
    {
        WorkspaceVolume = P.Get("workspace-volume"), HelperImage = ImageCatalog.Resolve(ImageRole.Busybox, Images), ArtifactsDirectory = Artifacts,
        Job = JobNumber("job"), Attempt = JobNumber("attempt"), Copy = P.GetBool("copy"), Follow = P.GetBool("follow"), DockerHost = P.GetOrNull("docker-host"),
    }, Log);
});

Task("ExtractNormalization")
    .Description("Copy the newest job's normalize/ dbt project (by job number, or --job/--attempt) out of the workspace volume into <artifacts>/normalization")
    .IsDependentOn("EnsureDocker")
    .Does(async () =>
{
    await NeedImage(ImageRole.Busybox);
    await NormalizationExtractor.ExtractAsync(new ExtractNormalizationOptions
    {
        WorkspaceVolume = P.Get("workspace-volume"), HelperImage = ImageCatalog.Resolve(ImageRole.Busybox, Images), ArtifactsDirectory = Artifacts,
        Job = JobNumber("job"), Attempt = JobNumber("attempt"), DockerHost = P.GetOrNull("docker-host"),
    }, Log);
});

Task("DbtRun")
    .Description("dbt debug, then dbt run on the normalization project against the destination, in the normalization image or with a local dbt")
    .IsDependentOn("ExtractNormalization")
    .IsDependentOn("StartPostgres")
    .Does(async () =>
{
    var mode = P.Get("dbt-mode") switch { "container" => DbtMode.Container, "local" => DbtMode.Local, var m => throw new ArgumentException($"--dbt-mode must be 'container' or 'local', not '{m}'.") };
    var image = P.GetOrNull("normalization-image") ?? ImageCatalog.Resolve(ImageRole.Normalization, Images);
    if (mode == DbtMode.Container && P.GetOrNull("normalization-image") is null) await NeedImage(ImageRole.Normalization);
    var result = await DbtRunner.RunAsync(new DbtRunOptions
    {
        Mode = mode, NormalizationImage = image, WorkspaceVolume = P.Get("workspace-volume"), HelperImage = ImageCatalog.Resolve(ImageRole.Busybox, Images),
        ArtifactsDirectory = Artifacts, ProjectDirectory = P.GetOrNull("project-dir"), Job = JobNumber("job"), Attempt = JobNumber("attempt"),
        DbtExecutable = P.Get("dbt"), DockerHost = P.GetOrNull("docker-host"),
    }, Log);
    result.ThrowIfFailed();
});

Task("LocalData")
    .Description("List what the local-file destination wrote, on the host and from inside a container")
    .IsDependentOn("EnsureDocker")
    .Does(async () =>
{
    await NeedImage(ImageRole.Busybox);
    await LocalData.ShowAsync(Engine(), P.Get("local-root"), ImageCatalog.Resolve(ImageRole.Busybox, Images), Log);
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
