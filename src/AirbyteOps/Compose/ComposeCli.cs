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
        if (ProcessRunner.Which("docker") is { } docker &&
            await ProcessRunner.RunAsync(docker, ["compose", "version"], ct: ct).ConfigureAwait(false) == 0)
            return new ComposeCli(docker, ["compose"]);
        if (ProcessRunner.Which("docker-compose") is { } compose) return new ComposeCli(compose, []);
        throw new ComposeException("Neither `docker compose` nor `docker-compose` is installed: run sudo apt-get install -y docker-compose (./build.sh EnsureDocker installs it with Docker).");
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
