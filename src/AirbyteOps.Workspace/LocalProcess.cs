using System.Diagnostics;
using AirbyteOps.Docker;

namespace AirbyteOps.Workspace;

/// <summary>Runs a local program from an argument list (never a shell line), streaming stdout and stderr line by line.</summary>
internal static class LocalProcess
{
    public static async Task<int> RunAsync(string executable, IReadOnlyList<string> arguments, string workingDirectory, string? path,
        Action<string> onLine, TimeSpan timeout, CancellationToken ct = default)
    {
        var info = new ProcessStartInfo(executable)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        if (path is not null) info.Environment["PATH"] = path;
        var gate = new object();
        void Emit(string? line)
        {
            if (line is null) return;
            lock (gate) onLine(line);
        }
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Emit(e.Data);
        process.ErrorDataReceived += (_, e) => Emit(e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new DockerOpsException($"Could not start '{executable}': {ex.Message}.", ex);
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            if (ct.IsCancellationRequested) throw;
            throw new DockerOpsException($"'{Path.GetFileName(executable)} {arguments.FirstOrDefault()}' did not finish within {timeout.TotalMinutes:0.#} min; it was stopped.");
        }
        // The parameterless wait drains the output events that are still queued.
        process.WaitForExit();
        return process.ExitCode;
    }

    /// <summary>The full path of <paramref name="name"/> on <paramref name="path"/> (or the path itself when it has a folder), or null.</summary>
    public static string? Find(string name, string? path)
    {
        if (name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal))
            return File.Exists(name) ? Path.GetFullPath(name) : null;
        foreach (var folder in (path ?? Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var candidate in OperatingSystem.IsWindows() ? new[] { name + ".exe", name + ".cmd", name } : [name])
            {
                var full = Path.Combine(folder, candidate);
                if (File.Exists(full) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(full) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0))
                    return full;
            }
        }
        return null;
    }
}
