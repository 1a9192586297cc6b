using AirbyteOps.Docker;
using AirbyteOps.Processes;

namespace AirbyteOps.Images;

/// <summary>Installs Debian packages the image recipes need (as root, non-interactively).</summary>
internal static class AptGet
{
    public static async Task InstallAsync(IReadOnlyList<string> packages, Action<string> log, CancellationToken ct)
    {
        if (!Environment.IsPrivilegedProcess || ProcessRunner.Which("apt-get", "/usr/bin") is null)
            throw new DockerOpsException($"Missing Debian package(s) {string.Join(", ", packages)}: run sudo apt-get install -y {string.Join(" ", packages)}.");
        var env = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
        string? last = null;
        var exit = await ProcessRunner.RunAsync("apt-get", ["install", "-y", "-q", .. packages], l => last = l, env, ct: ct).ConfigureAwait(false);
        if (exit != 0)
        {
            await ProcessRunner.RunAsync("apt-get", ["update", "-q"], l => last = l, env, ct: ct).ConfigureAwait(false);
            exit = await ProcessRunner.RunAsync("apt-get", ["install", "-y", "-q", .. packages], l => last = l, env, ct: ct).ConfigureAwait(false);
        }
        if (exit != 0) throw new DockerOpsException($"apt-get install {string.Join(" ", packages)} failed (exit {exit}): {last}");
        log($"Installed {string.Join(", ", packages)}.");
    }
}
