using AirbyteOps.Processes;

namespace AirbyteOps.Compose;

/// <summary>The real compose CLI: `docker compose` where the plugin is present, else `docker-compose`.</summary>
public sealed class ComposeCli
{
    private readonly string _program;
    private readonly IReadOnlyList<string> _prefix;

    private ComposeCli(string program, IReadOnlyList<string> prefix)
    {
        _program = program;
        _prefix = prefix;
    }

    public string Describe => string.Join(' ', new[] { _program }.Concat(_prefix));

    public static async Task<ComposeCli> FindAsync(CancellationToken ct = default)
    {
        if (ProcessRunner.Which("docker") is { } docker && PluginInstalled() &&
            await ProcessRunner.RunAsync(docker, ["compose", "version"], ct: ct).ConfigureAwait(false) == 0)
            return new ComposeCli(docker, ["compose"]);
        if (ProcessRunner.Which("docker-compose") is { } compose) return new ComposeCli(compose, []);
        throw new ComposeException("Neither `docker compose` nor `docker-compose` is installed: run sudo apt-get install -y docker-compose (./build.sh EnsureDocker installs it with Docker).");
    }

    /// <summary>
    /// Whether a compose plugin file is where the docker CLI looks for plugins ($DOCKER_CONFIG/cli-plugins, ~/.docker/cli-plugins,
    /// then the system folders). Without one `docker compose version` can only fail, so it is not started (a process
    /// start is about 0.1 s on every ComposeUp and WipeVolumes); with one, that command still decides.
    /// </summary>
    private static bool PluginInstalled()
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var config = Environment.GetEnvironmentVariable("DOCKER_CONFIG") is { Length: > 0 } c ? c : System.IO.Path.Combine(home, ".docker");
        string[] folders = [System.IO.Path.Combine(config, "cli-plugins"), "/usr/local/lib/docker/cli-plugins", "/usr/local/libexec/docker/cli-plugins",
            "/usr/lib/docker/cli-plugins", "/usr/libexec/docker/cli-plugins"];
        return !OperatingSystem.IsLinux() || folders.Any(f => File.Exists(System.IO.Path.Combine(f, "docker-compose")));
    }

    /// <summary>
    /// The line of compose's output that says what failed. compose v1 ends a failed `up` with the generic
    /// "Encountered errors while bringing up the project." and names the container and the cause on the
    /// "ERROR: for &lt;container&gt;  ..." lines before it (v2: "Error response from daemon: ..."); that first specific
    /// line is the one to show. Otherwise the last non-empty line.
    /// </summary>
    public static string FailureLine(IReadOnlyList<string> output)
    {
        static bool Generic(string line) => line.Contains("Encountered errors while", StringComparison.Ordinal);
        var lines = output.Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        var specific = lines.FirstOrDefault(l => !Generic(l) && (l.StartsWith("ERROR:", StringComparison.Ordinal) || l.StartsWith("Error ", StringComparison.Ordinal)));
        var line = specific ?? lines.LastOrDefault() ?? "no output";
        if (line.StartsWith("ERROR: for ", StringComparison.Ordinal))
        {
            // "ERROR: for NAME  Cannot create container ..." → "NAME: Cannot create container ..."
            var rest = line["ERROR: for ".Length..];
            var gap = rest.IndexOf("  ", StringComparison.Ordinal);
            if (gap > 0) line = $"{rest[..gap]}: {rest[gap..].Trim()}";
        }
        return line;
    }

    /// <summary>Runs compose on a project: <c>-p project -f file [--env-file f] args...</c>, streaming its output.</summary>
    public async Task<int> RunAsync(ComposeFile file, string? envFile, IEnumerable<string> args, Action<string> onLine, CancellationToken ct = default)
    {
        var all = new List<string>(_prefix) { "-p", file.Project, "-f", file.Path };
        if (envFile is not null) all.AddRange(["--env-file", envFile]);
        all.AddRange(args);
        return await ProcessRunner.RunAsync(_program, all, onLine, workingDirectory: System.IO.Path.GetDirectoryName(file.Path), ct: ct).ConfigureAwait(false);
    }
}
