using AirbyteOps.Docker;
using AirbyteOps.Processes;
using AirbyteOps.Progress;

namespace AirbyteOps.Images;

/// <summary>
/// The Debian base every other local image is built FROM: debootstrap of a minimal bookworm with
/// PostgreSQL 15, imported as an image. Needs root and debootstrap (installed with apt-get when missing).
/// </summary>
public sealed class DebianBaseRecipe : ImageRecipe
{
    public const string Suite = "bookworm";
    public static readonly string[] Packages = ["postgresql-15", "ca-certificates"];

    public DebianBaseRecipe(string tag) : base(tag, []) { }

    public override string Describe => $"debootstrap --variant=minbase {Suite} with {string.Join(", ", Packages)}";

    public override Task<string> FingerprintAsync(ImageBuildContext context, CancellationToken ct) =>
        Task.FromResult(context.NewFingerprint().Add("debootstrap").Add("minbase").Add(Suite).Add(string.Join(",", Packages)).Add("v1").Value);

    public override async Task BuildAsync(ImageBuildContext context, string fingerprint, Action<string> log, CancellationToken ct)
    {
        if (!Environment.IsPrivilegedProcess)
            throw new ProcessException($"Building the base image '{Tag}' runs debootstrap, which needs root: run the build as root, or use --images official where a registry is reachable.");
        var debootstrap = ProcessRunner.Which("debootstrap", "/usr/sbin", "/usr/bin");
        if (debootstrap is null)
        {
            var aptLog = Path.Combine(context.ScratchDirectory, "apt-debootstrap.log");
            log($"Installing debootstrap with apt-get (log: {aptLog}) ...");
            await AptGet.InstallAsync(["debootstrap"], aptLog, ct).ConfigureAwait(false);
            debootstrap = ProcessRunner.Which("debootstrap", "/usr/sbin", "/usr/bin") ?? throw new ProcessException("debootstrap is still missing after apt-get install debootstrap.");
        }

        var rootfs = Path.Combine(context.ScratchDirectory, "debian-rootfs");
        if (Directory.Exists(rootfs)) await RemoveTreeAsync(rootfs, ct).ConfigureAwait(false);
        Directory.CreateDirectory(context.ScratchDirectory);
        var logFile = Path.Combine(context.ScratchDirectory, "debootstrap.log");
        log($"Running debootstrap {Suite} from {context.DebianMirror} (about 40 s; log: {logFile}) ...");
        int exit;
        string? last = null;
        await using (var writer = new StreamWriter(logFile))
        {
            var count = 0;
            exit = await ProcessRunner.RunAsync(debootstrap,
                ["--variant=minbase", $"--include={string.Join(",", Packages)}", Suite, rootfs, context.DebianMirror],
                line =>
                {
                    writer.WriteLine(line);
                    last = line;
                    // A heartbeat, not the whole chatter: every 100th line says where it is.
                    if (++count % 100 == 0) log($"  debootstrap: {line}");
                }, ct: ct).ConfigureAwait(false);
        }
        if (exit != 0) throw new ProcessException($"debootstrap failed (exit {exit}): {last}; see {logFile}.");

        log($"Importing the root filesystem as {Tag} ...");
        // GNU tar keeps owners, modes, device nodes and links of the root filesystem exactly.
        using var progress = ProgressReporter.ForConsole($"Importing {Tag}", null, null, log);
        exit = await ProcessRunner.ReadOutputAsync("tar", ["--numeric-owner", "-C", rootfs, "-c", "."], archive =>
            context.Engine.Images.ImportAsync(new ProgressStream(archive, progress, leaveOpen: true), Tag,
                ["CMD [\"bash\"]", "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "ENV LANG=C.UTF-8", $"LABEL {Labels.Recipe}={fingerprint}", $"LABEL {Labels.Managed}=true"], ct), ct).ConfigureAwait(false);
        if (exit != 0) throw new ProcessException($"tar of {rootfs} failed (exit {exit}).");
        await RemoveTreeAsync(rootfs, ct).ConfigureAwait(false);
    }

    // The root filesystem holds root-owned files and device nodes; rm copes with them where Directory.Delete may not.
    private static async Task RemoveTreeAsync(string path, CancellationToken ct) =>
        await ProcessRunner.RunAsync("rm", ["-rf", "--one-file-system", path], ct: ct).ConfigureAwait(false);
}
