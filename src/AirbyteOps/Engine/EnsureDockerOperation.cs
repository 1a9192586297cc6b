using AirbyteOps.Docker;
using AirbyteOps.Processes;

namespace AirbyteOps.Engine;

/// <summary>
/// EnsureDocker: an engine that answers is used as it is; an installed but stopped dockerd is started in
/// the background; on Debian/Ubuntu as root, docker.io and docker-compose are installed first. Otherwise
/// the error says which command to run.
/// </summary>
public sealed class EnsureDockerOperation(DockerEngine engine)
{
    /// <summary>
    /// Starts "$0" (dockerd) in its own session (setsid) so it outlives this build, with no descriptor of ours but its log:
    /// descriptors 3-9 are closed first, because a daemon keeps what it inherits for as long as it runs: run under
    /// <c>flock LOCK ./build.sh EnsureDocker</c>, dockerd inherited flock's descriptor 3 and held the host lock until it
    /// stopped, so every later <c>flock</c> waited forever. (dash, /bin/sh here, takes one-digit descriptors only; the
    /// .NET runtime opens its own descriptors close-on-exec.) A constant script: the program and the log path travel as
    /// argument and environment, never pasted into it.
    /// </summary>
    internal const string StartScript =
        "exec 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-; setsid \"$0\" >>\"$AIRBYTEOPS_DOCKERD_LOG\" 2>&1 </dev/null &";

    private static readonly string[] SystemFolders = ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/bin", "/usr/local/sbin"];

    /// <summary>Returns the engine's version once it answers.</summary>
    public async Task<string> RunAsync(EnsureDockerOptions options, Action<string> log, CancellationToken ct = default)
    {
        // One round trip when the engine answers (the common case): its version is the ping.
        var version = await (options.FirstAnswer ?? engine.TryVersionAsync(ct: ct)).ConfigureAwait(false);
        if (version is null)
        {
            await StartEngineAsync(options, log, ct).ConfigureAwait(false);
            version = await engine.VersionAsync(ct).ConfigureAwait(false);
        }
        log($"Docker engine {version.Version} (API {version.APIVersion}) answers at {engine.Endpoint}.");
        return version.Version;
    }

    private async Task StartEngineAsync(EnsureDockerOptions options, Action<string> log, CancellationToken ct)
    {
        if (engine.Endpoint.Scheme != "unix" || engine.Endpoint.AbsolutePath != "/var/run/docker.sock")
            throw new DockerOpsException($"The Docker engine at {engine.Endpoint} does not answer; start it, or unset DOCKER_HOST to use the local engine.");

        var isRoot = Environment.IsPrivilegedProcess;
        var dockerd = ProcessRunner.Which("dockerd", SystemFolders);
        if (dockerd is null)
        {
            if (!isRoot || !AptGet.IsAvailable)
                throw new DockerOpsException("No Docker engine answers and dockerd is not installed: install Docker (on Debian/Ubuntu: sudo apt-get install -y docker.io docker-compose, then sudo systemctl start docker) and run again.");
            await InstallAsync(options, log, ct).ConfigureAwait(false);
            dockerd = ProcessRunner.Which("dockerd", SystemFolders)
                ?? throw new ProcessException("apt-get installed docker.io but dockerd is not on PATH; check the log in " + LogFolder(options) + ".");
        }
        if (!isRoot)
            throw new DockerOpsException($"dockerd is installed ({dockerd}) but not running, and starting it needs root: run sudo systemctl start docker (or sudo dockerd &) and run again.");

        var logFile = Path.Combine(LogFolder(options), "dockerd.log");
        Directory.CreateDirectory(Path.GetDirectoryName(logFile)!);
        log($"Starting dockerd in the background (log: {logFile}) ...");
        var exit = await ProcessRunner.RunAsync("/bin/sh",
            ["-c", StartScript, dockerd],
            log, new Dictionary<string, string> { ["AIRBYTEOPS_DOCKERD_LOG"] = logFile }, ct: ct).ConfigureAwait(false);
        if (exit != 0) throw new DockerOpsException($"Could not start dockerd (exit {exit}); see {logFile}.");
        try
        {
            var took = await Readiness.WaitUntilAsync("the Docker engine to answer", c => engine.PingAsync(TimeSpan.FromSeconds(2), c), options.Timeout, TimeSpan.FromMilliseconds(250), ct).ConfigureAwait(false);
            log($"dockerd is up after {took.TotalSeconds:0.0} s.");
        }
        catch (DockerOpsException ex)
        {
            var tail = File.Exists(logFile) ? File.ReadLines(logFile).TakeLast(3).LastOrDefault() ?? "" : "";
            throw new DockerOpsException($"{ex.Message} dockerd's last log line: {tail} (full log: {logFile})", ex);
        }
    }

    private static async Task InstallAsync(EnsureDockerOptions options, Action<string> log, CancellationToken ct)
    {
        var logFile = Path.Combine(LogFolder(options), "apt-docker.log");
        log($"Docker is not installed: installing docker.io and docker-compose with apt-get (about 30 s; log: {logFile}) ...");
        await AptGet.InstallAsync(["docker.io", "docker-compose"], logFile, ct).ConfigureAwait(false);
        log("Installed docker.io and docker-compose.");
    }

    private static string LogFolder(EnsureDockerOptions options) => Path.GetFullPath(Path.Combine(options.ArtifactsDirectory, "logs"));
}
