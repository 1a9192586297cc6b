using System.Diagnostics;

namespace AirbyteOps.Processes;

/// <summary>
/// Runs a program with an argument list (never a pasted shell string), streaming its output line by line.
/// Every library that starts a local program (compose, apt-get, debootstrap, dotnet test, a local dbt) uses this one.
/// </summary>
public static class ProcessRunner
{
    public static async Task<int> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        Action<string>? onLine = null,
        IReadOnlyDictionary<string, string>? environment = null,
        string? workingDirectory = null,
        CancellationToken ct = default)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        if (environment is not null)
            foreach (var (key, value) in environment) start.Environment[key] = value;

        using var process = new Process { StartInfo = start };
        var gate = new object();
        void Emit(string? line)
        {
            if (line is null || onLine is null) return;
            lock (gate) onLine(line);
        }
        process.OutputDataReceived += (_, e) => Emit(e.Data);
        process.ErrorDataReceived += (_, e) => Emit(e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new ProcessException($"Cannot run '{fileName}': {ex.Message.TrimEnd('.')}; check that it is installed and executable.", ex);
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw;
        }
        // The parameterless wait drains the output events still queued, so the last lines are never lost.
        process.WaitForExit();
        return process.ExitCode;
    }

    /// <summary>
    /// Runs a program whose standard output is data, not lines (tar writing an archive): <paramref name="consume"/> reads
    /// it as a stream while the program runs; standard error is drained so the program never blocks on it.
    /// Returns the exit code; cancelling kills the program.
    /// </summary>
    public static async Task<int> ReadOutputAsync(string fileName, IEnumerable<string> arguments, Func<Stream, Task> consume, CancellationToken ct = default)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new ProcessException($"Cannot run '{fileName}': {ex.Message}.", ex);
        }
        var drainError = process.StandardError.ReadToEndAsync(ct);
        try
        {
            await consume(process.StandardOutput.BaseStream).ConfigureAwait(false);
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
            await drainError.ConfigureAwait(false);
        }
        catch
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw;
        }
        return process.ExitCode;
    }

    /// <summary>The full path of a program found on PATH (or in the extra folders), or null.</summary>
    public static string? Which(string program, params string[] extraFolders) =>
        Find(program, string.Join(Path.PathSeparator, new[] { Environment.GetEnvironmentVariable("PATH") ?? "" }.Concat(extraFolders)));

    /// <summary>The full path of <paramref name="name"/> on <paramref name="searchPath"/> (PATH when null), or the name itself when it holds a folder; null when absent.</summary>
    public static string? Find(string name, string? searchPath)
    {
        if (name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal))
            return File.Exists(name) ? Path.GetFullPath(name) : null;
        foreach (var folder in (searchPath ?? Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
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
