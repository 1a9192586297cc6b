using System.Diagnostics;
using System.Reflection;

namespace AirbyteOps.TestSupport;

/// <summary>
/// Programs the tests run: a test assembly started again as a separate "build process" (its own Main), so a test can
/// kill it mid-operation, and plain commands (an argument list, no shell) whose exit code and output are checked.
/// </summary>
public static class ChildProcess
{
    /// <summary>Starts <paramref name="assembly"/> (a test assembly with a Main of its own) with dotnet exec; stdout and stderr redirected.</summary>
    public static Process Start(Assembly assembly, params string[] args)
    {
        // stdin is a pipe the test holds: a child that waits for a line (the lock holder) waits until the test writes one.
        var info = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(assembly.Location);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        return Process.Start(info)!;
    }

    /// <summary>
    /// As <see cref="Start"/>, with SIGINT at its default disposition in the child, so Ctrl-C (kill -INT) reaches it the
    /// way it reaches a build started from a terminal. A process started in the background by a non-interactive shell
    /// (as a CI runner may start the test run) inherits SIGINT ignored, and .NET then installs no handler for it: the
    /// child would never see the signal. coreutils' env resets it (--default-signal) and execs dotnet, keeping the pid.
    /// </summary>
    public static Process StartInterruptible(Assembly assembly, params string[] args)
    {
        var info = new ProcessStartInfo("env") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])["--default-signal=INT", "dotnet", "exec", assembly.Location, .. args]) info.ArgumentList.Add(arg);
        return Process.Start(info)!;
    }

    /// <summary>True when the running process <paramref name="pid"/> ignores SIGINT (bit 2 of SigIgn in /proc/PID/status).</summary>
    public static bool IgnoresSigint(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        var mask = Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16);
        return (mask & (1UL << (2 - 1))) != 0;
    }

    /// <summary>
    /// The child's side of a kill test (in the child's own Main): an operation's checkpoint callback that, when the
    /// operation reaches <paramref name="wanted"/>, prints "AT &lt;step&gt;" (what <see cref="WaitForLineAsync"/> waits for)
    /// and then waits to be killed; other steps pass. Cancellation (SIGINT in the child) ends the wait.
    /// </summary>
    public static Func<string, CancellationToken, Task> StopAt(string wanted) => async (step, ct) =>
    {
        if (step != wanted) return;
        Console.WriteLine($"AT {step}");
        await Console.Out.FlushAsync(ct);
        await Task.Delay(Timeout.Infinite, ct);
    };

    /// <summary>
    /// True once the process printed <paramref name="expected"/>; false if it ended or the timeout passed first.
    /// <paramref name="seen"/>, when given, receives every line read before it.
    /// </summary>
    public static async Task<bool> WaitForLineAsync(Process process, string expected, TimeSpan timeout, List<string>? seen = null)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (await process.StandardOutput.ReadLineAsync(cts.Token) is { } line)
            {
                if (line == expected) return true;
                seen?.Add(line);
            }
        }
        catch (OperationCanceledException)
        {
        }
        return false;
    }

    public static async Task KillAsync(Process process)
    {
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    /// <summary>Runs a program (an argument list, no shell) and returns its exit code and output (stdout, then stderr).</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>Runs a program to its end and fails the test, with what it wrote to stderr, unless it exits 0.</summary>
    public static void Check(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{file} failed: {err}");
    }
}
