using System.Runtime.InteropServices;
using AirbyteOps.Build.Parameters;
using AirbyteOps.Docker;
using AirbyteOps.Images;
using AirbyteOps.IO;

namespace AirbyteOps.Build;

/// <summary>
/// What every target shares in one build run: the repository, the typed parameters, the one Docker engine
/// (connected once, handed to every operation), the log, and the cancellation that Ctrl-C and SIGTERM trigger.
/// The Cake script creates it in Setup and disposes it in Teardown; the targets are its methods
/// (BuildContext.Targets.cs), so a target's code is one hop from its task.
/// </summary>
public sealed partial class BuildContext : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly List<IDisposable> _signals = [];
    private readonly Lazy<DockerEngine> _engine;
    private static BuildContext? _current;

    private BuildContext(string root, BuildParameters parameters, Action<string> log)
    {
        Root = root;
        Parameters = parameters;
        Log = log;
        // Created by whichever thread needs it first: the early version request (below) or a target.
        _engine = new Lazy<DockerEngine>(() => DockerEngine.Connect(Parameters.DockerHost), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>
    /// True when the run is Help and nothing else: no other target, and none of Cake's options that run the targets
    /// another way (--tree, --dryrun, --description and their aliases). build.cake then calls <see cref="HelpAlone"/>
    /// instead of Cake's task engine.
    /// </summary>
    /// <param name="targets">The targets Cake was given (Help when none).</param>
    /// <param name="processArguments">The process's own arguments (Cake keeps its options out of the script's arguments).</param>
    public static bool IsHelpAlone(IEnumerable<string> targets, IEnumerable<string> processArguments) =>
        targets.All(t => string.Equals(t, TargetNames.Help, StringComparison.OrdinalIgnoreCase))
        && !processArguments.Any(a => a.TrimStart('-').Split('=')[0].ToLowerInvariant() is "tree" or "showtree" or "dryrun" or "noop" or "whatif" or "description" or "showdescription");

    /// <summary>
    /// Help without Cake's task engine: the parameters are read and checked as in Setup (a bad one fails the same way, with
    /// its one line), then the same lines as the Help target. Cake's task graph, task header and summary table cost about
    /// 0.14 s on every call here (bench/README.md), and Help has nothing for them to order or time.
    /// </summary>
    public static void HelpAlone(string root, IDictionary<string, ICollection<string>> arguments, Action<string> log,
        IEnumerable<(string Name, string Description, IReadOnlyList<string> Dependencies)> targets)
    {
        // The lines go to the log in one call: Cake's log formats and colours each call (about 1 ms a line here, 80 lines).
        var lines = new List<string>();
        try
        {
            Create(root, arguments, lines.Add).Help(targets).GetAwaiter().GetResult();
        }
        finally
        {
            Release();
            if (lines.Count > 0) log(string.Join(Environment.NewLine, lines));
        }
    }

    /// <summary>As <see cref="Create(string, IEnumerable{KeyValuePair{string, string}}, Action{string})"/>, from Cake's arguments (a name may repeat: --target A --target B).</summary>
    public static BuildContext Create(string root, IDictionary<string, ICollection<string>> arguments, Action<string> log) =>
        Create(root, arguments.SelectMany(kv => kv.Value.Select(v => new KeyValuePair<string, string>(kv.Key, v))), log);

    /// <summary>Reads and checks the parameters (a bad one fails here, before any target runs) and refreshes the parameters schema.</summary>
    /// <param name="root">The repository root.</param>
    /// <param name="commandLine">The command line's options (name, value) as Cake parsed them.</param>
    /// <param name="log">Where the targets' lines go.</param>
    public static BuildContext Create(string root, IEnumerable<KeyValuePair<string, string>> commandLine, Action<string> log)
    {
        Profile("Setup begins");
        if (Profiling)
        {
            var inner = log;
            log = line => { Profile("line: " + (line.Length > 60 ? line[..60] : line)); inner(line); };
        }
        var parameters = ParameterReader.Read(commandLine, Environment.GetEnvironmentVariable, Path.Combine(root, ".nuke", "parameters.json"));
        Profile("parameters read");
        var context = new BuildContext(root, parameters, log);
        var schema = Path.Combine(root, ".nuke", "build.schema.json");
        try
        {
            if (BuildSchema.WriteIfStale(schema, Path.Combine(root, ".build", "schema.stamp"))) log($"Parameters changed: rewrote {schema} (commit it with them).");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A read-only checkout still builds; only editors' completion of the parameters file is stale.
            log($"Could not refresh {schema} ({ex.Message}); the build goes on.");
        }
        Profile("schema checked");
        context.StartEarly(commandLine.Where(kv => string.Equals(kv.Key, "target", StringComparison.OrdinalIgnoreCase)).Select(kv => kv.Value).ToList());
        context.ListenForInterrupts();
        _current = context;
        Profile("Setup done");
        return context;
    }

    public string Root { get; }
    public BuildParameters Parameters { get; }
    public Action<string> Log { get; }
    public CancellationToken Cancellation => _cancel.Token;

    /// <summary>The one engine of this run. Connecting sends nothing; EnsureDocker is what makes it answer.</summary>
    public DockerEngine Engine => _engine.Value;

    public string Artifacts => Path.GetFullPath(Path.Combine(Root, Parameters.Artifacts));
    public string ComposeFile => Path.GetFullPath(Path.Combine(Root, Parameters.ComposeFile));
    public string DescriptionsFile => Path.Combine(Root, "build", "connections.yaml");
    public TimeSpan Timeout => TimeSpan.FromSeconds(Parameters.Timeout);
    public bool IsDemoStack => ComposeFile == Path.Combine(Root, "src", "StandIns", "DemoStack", "docker-compose.yaml");

    /// <summary>True when --compose-file is the database-era demo stack (the stand-in for Airbyte 0.50.33).</summary>
    public bool IsDbEraStack => ComposeFile == Path.Combine(Root, "src", "StandIns", "DbEraStack", "docker-compose.yaml");

    /// <summary>The image of a role for --images.</summary>
    public string Image(ImageRole role) => ImageCatalog.Resolve(role, Parameters.Images);

    /// <summary>
    /// Runs a target's work: Ctrl-C cancels it; a failure the libraries describe passes through as its one line;
    /// anything else is a bug, reported in one line with its details written to artifacts/logs/last-error.txt.
    /// </summary>
    public async Task RunAsync(string target, Func<CancellationToken, Task> work)
    {
        try
        {
            Profile($"{target} begins");
            await work(Cancellation).ConfigureAwait(false);
            Profile($"{target} done");
        }
        catch (OperationCanceledException ex) when (Cancellation.IsCancellationRequested)
        {
            throw new BuildFailure($"{target} was interrupted; what it had started was undone or left as its own messages above say. Run it again to finish.", ex);
        }
        catch (Exception ex) when (ex is not AirbyteOpsException)
        {
            var details = Path.Combine(Artifacts, "logs", "last-error.txt");
            AtomicFile.WriteAllText(details, $"{DateTimeOffset.UtcNow:O} {target}{Environment.NewLine}{ex}{Environment.NewLine}");
            throw new BuildFailure($"{target} failed unexpectedly ({ex.GetType().Name}: {ex.Message.Split('\n')[0].Trim()}); this is a bug: details in {details}.", ex);
        }
    }

    /// <summary>
    /// AIRBYTEOPS_PROFILE=1: one line on stderr per stage (Setup, each target) with the milliseconds since the process
    /// started, so bench/README.md can say where a run's time goes. Off by default; never on stdout.
    /// </summary>
    public static void Profile(string stage)
    {
        if (!Profiling) return;
        var since = DateTime.Now - System.Diagnostics.Process.GetCurrentProcess().StartTime;
        Console.Error.WriteLine($"profile: {since.TotalMilliseconds,7:0} ms  {stage}");
    }

    private static bool Profiling => Environment.GetEnvironmentVariable("AIRBYTEOPS_PROFILE") == "1";

    private void ListenForInterrupts()
    {
        // The first Ctrl-C cancels the running operation, which cleans up and says what state it left; a second one kills.
        Console.CancelKeyPress += OnCancelKeyPress;
        if (!OperatingSystem.IsWindows())
            _signals.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
            {
                c.Cancel = true;
                Interrupt("SIGTERM");
            }));
    }

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        if (_cancel.IsCancellationRequested) return;
        e.Cancel = true;
        Interrupt("Ctrl-C");
    }

    private void Interrupt(string what)
    {
        Log($"{what}: stopping the running target (cleaning up first; press Ctrl-C again to kill at once) ...");
        _cancel.Cancel();
    }

    /// <summary>Disposes the context of this run, if Setup got as far as making one (Cake's Teardown runs either way).</summary>
    public static void Release()
    {
        _current?.Dispose();
        _current = null;
    }

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKeyPress;
        foreach (var signal in _signals) signal.Dispose();
        _earlyLock?.Dispose();
        if (_engine.IsValueCreated) _engine.Value.Dispose();
        _cancel.Dispose();
    }
}
