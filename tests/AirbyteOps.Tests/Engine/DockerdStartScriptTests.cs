using System.Diagnostics;
using AirbyteOps.Engine;

namespace AirbyteOps.Tests.Engine;

/// <summary>
/// The script EnsureDocker starts dockerd with, run on a stand-in daemon (a script that records its open descriptors):
/// run under <c>flock</c>, the daemon must not keep the lock's descriptor (a dockerd that did held the host lock for as
/// long as it ran). No engine is started.
/// </summary>
public sealed class DockerdStartScriptTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("abops-dockerd-start-").FullName;

    [Fact]
    public async Task The_started_daemon_does_not_inherit_the_lock_descriptor_of_the_flock_that_ran_the_build()
    {
        var seen = await DescriptorsOfDaemonAsync(EnsureDockerOperation.StartScript);

        Assert.DoesNotContain(Lock, seen);
    }

    [Fact]
    public async Task Control_started_without_closing_the_daemon_keeps_the_lock_descriptor()
    {
        // The script as it was: proves this setup really hands the lock's descriptor down, so the test above can fail.
        var seen = await DescriptorsOfDaemonAsync("setsid \"$0\" >>\"$AIRBYTEOPS_DOCKERD_LOG\" 2>&1 </dev/null &");

        Assert.Contains(Lock, seen);
    }

    private string Lock => Path.Combine(_dir, "host.lock");

    /// <summary>Runs the start script as <c>flock</c> runs a command (the lock open on descriptor 3), returns the targets of the daemon's descriptors.</summary>
    private async Task<IReadOnlyList<string>> DescriptorsOfDaemonAsync(string startScript)
    {
        var daemon = Path.Combine(_dir, "fake-dockerd");
        var output = Path.Combine(_dir, "descriptors.txt");
        await File.WriteAllTextAsync(Lock, "");
        await File.WriteAllTextAsync(daemon, "#!/bin/sh\nfor fd in /proc/$$/fd/*; do readlink \"$fd\"; done > \"$ABOPS_OUT.tmp\"\nmv \"$ABOPS_OUT.tmp\" \"$ABOPS_OUT\"\n");
        File.SetUnixFileMode(daemon, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var start = new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", "exec 3<\"$1\"; exec /bin/sh -c \"$2\" \"$3\"", "sh", Lock, startScript, daemon } };
        start.Environment["AIRBYTEOPS_DOCKERD_LOG"] = Path.Combine(_dir, "dockerd.log");
        start.Environment["ABOPS_OUT"] = output;
        using (var process = Process.Start(start)!)
        {
            await process.WaitForExitAsync();
            Assert.Equal(0, process.ExitCode);
        }
        var clock = Stopwatch.StartNew();
        while (!File.Exists(output) && clock.Elapsed < TimeSpan.FromSeconds(20)) await Task.Delay(50);
        Assert.True(File.Exists(output), "the stand-in daemon did not run");
        return await File.ReadAllLinesAsync(output);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
