using System.Diagnostics;

namespace AirbyteOps.Faults.Tests.Support;

/// <summary>This test assembly started as a separate "build process" (see Program), so a test can kill it mid-operation.</summary>
public static class ChildProcess
{
    public static Process Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(typeof(Program).Assembly.Location);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        return Process.Start(info)!;
    }

    /// <summary>True once the process printed <paramref name="expected"/>; false if it ended or the timeout passed first.</summary>
    public static async Task<bool> WaitForLineAsync(Process process, string expected, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (await process.StandardOutput.ReadLineAsync(cts.Token) is { } line)
                if (line == expected) return true;
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
}
