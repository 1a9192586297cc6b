namespace AirbyteOps.Processes;

/// <summary>
/// The one way the build installs Debian packages (docker.io for EnsureDocker, debootstrap for the base image):
/// as root, non-interactively, with an argument list; on failure it refreshes the package lists once and tries
/// again, and the error names the package, the last line apt-get printed and its log.
/// </summary>
public static class AptGet
{
    private static readonly string[] SystemFolders = ["/usr/bin", "/bin"];

    /// <summary>True where packages can be installed here: root on Debian or Ubuntu with apt-get present.</summary>
    public static bool IsAvailable =>
        Environment.IsPrivilegedProcess && File.Exists("/etc/debian_version") && ProcessRunner.Which("apt-get", SystemFolders) is not null;

    /// <summary>Installs <paramref name="packages"/>, appending apt-get's output to <paramref name="logFile"/>.</summary>
    public static async Task InstallAsync(IReadOnlyList<string> packages, string logFile, CancellationToken ct = default)
    {
        var list = string.Join(" ", packages);
        if (!IsAvailable)
            throw new ProcessException($"Missing Debian package(s) {list}, and this build cannot install them (it needs root on Debian/Ubuntu): run sudo apt-get install -y {list}.");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(logFile))!);
        await using var writer = new StreamWriter(logFile, append: true);
        var environment = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
        string? last = null;
        void Record(string line)
        {
            writer.WriteLine(line);
            last = line;
        }
        string[] install = ["install", "-y", "-q", .. packages];
        var exit = await ProcessRunner.RunAsync("apt-get", install, Record, environment, ct: ct).ConfigureAwait(false);
        if (exit != 0)
        {
            // Most failures on a fresh machine are stale package lists: refresh once, then try again.
            var update = await ProcessRunner.RunAsync("apt-get", ["update", "-q"], Record, environment, ct: ct).ConfigureAwait(false);
            if (update != 0) throw new ProcessException($"apt-get update failed (exit {update}): {last}; see {logFile}.");
            exit = await ProcessRunner.RunAsync("apt-get", install, Record, environment, ct: ct).ConfigureAwait(false);
        }
        if (exit != 0) throw new ProcessException($"apt-get install {list} failed (exit {exit}): {last}; see {logFile}.");
    }
}
