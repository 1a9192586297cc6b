using System.Formats.Tar;
using AirbyteOps.Docker;
using AirbyteOps.Processes;
using AirbyteOps.Progress;

namespace AirbyteOps.Images;

/// <summary>
/// busybox from Debian's busybox-static: the static binary plus a link per applet, imported as an image.
/// The tutorial browses volumes with it; so does the tutorial's own pipeline in our tests.
/// </summary>
public sealed class BusyboxRecipe : ImageRecipe
{
    private const string Binary = "/bin/busybox";

    public BusyboxRecipe(string tag) : base(tag, []) { }

    public override string Describe => "Debian's busybox-static, one link per applet";

    public override async Task<string> FingerprintAsync(ImageBuildContext context, CancellationToken ct)
    {
        // The cache key is the binary's size and time: the same binary was confirmed static when the fingerprint was cached.
        if (!context.StatOnly)
            await EnsureStaticBusyboxAsync(Path.Combine(context.ScratchDirectory, "apt-busybox.log"), _ => { }, ct).ConfigureAwait(false);
        return context.NewFingerprint().Add("busybox-static").AddFile(Binary, "busybox").Add("v1").Value;
    }

    public override async Task BuildAsync(ImageBuildContext context, string fingerprint, Action<string> log, CancellationToken ct)
    {
        await EnsureStaticBusyboxAsync(Path.Combine(context.ScratchDirectory, "apt-busybox.log"), log, ct).ConfigureAwait(false);
        var applets = new List<string>();
        var exit = await ProcessRunner.RunAsync(Binary, ["--list"], applets.Add, ct: ct).ConfigureAwait(false);
        if (exit != 0 || applets.Count == 0) throw new ProcessException($"{Binary} --list failed (exit {exit}).");

        using var tar = new MemoryStream();
        await using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var dir in new[] { "bin", "etc", "tmp", "root", "proc", "sys", "dev" })
                await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, dir + "/")
                {
                    Mode = dir == "tmp" ? (UnixFileMode)Convert.ToInt32("1777", 8) : (UnixFileMode)Convert.ToInt32("755", 8),
                }, ct).ConfigureAwait(false);
            await writer.WriteEntryAsync(Binary, "bin/busybox", ct).ConfigureAwait(false);
            foreach (var applet in applets.Where(a => a is not "busybox" && !a.Contains('/')).Distinct())
                await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, "bin/" + applet) { LinkName = "busybox", Mode = (UnixFileMode)Convert.ToInt32("777", 8) }, ct).ConfigureAwait(false);
            await WriteTextAsync(writer, "etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n", ct).ConfigureAwait(false);
            await WriteTextAsync(writer, "etc/group", "root:x:0:\nnogroup:x:65534:\n", ct).ConfigureAwait(false);
        }
        tar.Position = 0;
        log($"Importing busybox ({applets.Count} applets) as {Tag} ...");
        using var progress = ProgressReporter.ForConsole($"Importing {Tag}", null, tar.Length, log);
        await using var counted = new ProgressStream(tar, progress, leaveOpen: true);
        await context.Engine.Images.ImportAsync(counted, Tag,
            ["CMD [\"sh\"]", "ENV PATH=/bin", $"LABEL {Labels.Recipe}={fingerprint}", $"LABEL {Labels.Managed}=true"], ct).ConfigureAwait(false);
    }

    private static async Task WriteTextAsync(TarWriter writer, string name, string text, CancellationToken ct)
    {
        var entry = new PaxTarEntry(TarEntryType.RegularFile, name)
        {
            Mode = (UnixFileMode)Convert.ToInt32("644", 8),
            DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)),
        };
        await writer.WriteEntryAsync(entry, ct).ConfigureAwait(false);
    }

    private static async Task EnsureStaticBusyboxAsync(string aptLog, Action<string> log, CancellationToken ct)
    {
        // Debian's dynamic busybox also lives at /bin/busybox; only the static one runs in an empty image.
        var installed = await ProcessRunner.RunAsync("dpkg-query", ["-W", "-f=${Status}", "busybox-static"], ct: ct).ConfigureAwait(false) == 0;
        if (installed && File.Exists(Binary)) return;
        log($"Installing busybox-static with apt-get (log: {aptLog}) ...");
        await AptGet.InstallAsync(["busybox-static"], aptLog, ct).ConfigureAwait(false);
    }
}
