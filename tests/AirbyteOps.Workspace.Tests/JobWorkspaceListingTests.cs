namespace AirbyteOps.Workspace.Tests;

/// <summary>Reading jobs and attempts from the volume's listing (busybox stat lines, a marker, then tail -v of each logs.log).</summary>
public sealed class JobWorkspaceListingTests
{
    private const string Marker = "--end--";

    [Fact]
    public void Groups_entries_by_numeric_job_and_attempt_newest_first_with_the_last_log_line()
    {
        string[] lines =
        [
            "41ed 4096 1612325100 ./9", "41ed 4096 1612325100 ./9/0", "81a4 12 1612325100 ./9/0/logs.log",
            "41ed 4096 1612325100 ./9/0/normalize", "41ed 4096 1612325100 ./9/0/normalize/models",
            "41ed 4096 1612325100 ./9/0/normalize/models/generated", "81a4 8 1612325100 ./9/0/normalize/models/generated/x.sql",
            "41ed 4096 1612325100 ./12", "41ed 4096 1612325100 ./12/1", "81a4 5368709120 1612325100 ./12/1/logs.log",
            "41ed 4096 1612325100 ./12/0", "81a4 0 1612325100 ./12/0/logs.log",
            "41ed 4096 1612325100 ./10", "41ed 4096 1612325100 ./10/0", "81a4 2 1612325100 ./10/0/catalog.json",
            "41ed 4096 1612325100 ./lost+found", "81a4 9 1612325100 ./lost+found/x",
            "a1ff 22 1612325100 ./9/0/normalize/current model.sql",
            Marker,
            "==> ./9/0/logs.log <==", "a", "last of 9",
            "", "==> ./12/1/logs.log <==", "line 4999", "the very last line", "",
            "", "==> ./12/0/logs.log <==",
        ];

        var attempts = JobWorkspace.Parse(lines, Marker);

        Assert.Equal(new[] { "12/1", "12/0", "10/0", "9/0" }, attempts.Select(a => a.Id.RelativePath));
        Assert.Equal("the very last line", attempts[0].LastLogLine);
        Assert.Equal(5368709120L, attempts[0].Log!.Size);
        Assert.Null(attempts[1].LastLogLine);
        Assert.Null(attempts[2].Log);
        Assert.Equal("last of 9", attempts[3].LastLogLine);
        Assert.True(attempts[3].HasNormalization);
        Assert.False(attempts[0].HasNormalization);
        Assert.Equal(new[] { "normalize/models/generated/x.sql" }, attempts[3].Models);
        var link = attempts[3].Files.Single(f => f.Path == "normalize/current model.sql");
        Assert.Equal((0L, false), (link.Size, link.IsDirectory));
    }

    [Fact]
    public void Keeps_sizes_modes_and_times_and_reads_no_stat_line_after_the_marker_as_a_file()
    {
        var time = new DateTimeOffset(2020, 12, 1, 10, 0, 0, TimeSpan.Zero);
        string[] lines =
        [
            "41ed 4096 1606816800 3", "41ed 4096 1606816800 3/0", $"8180 7 {time.ToUnixTimeSeconds()} 3/0/tap_config.json",
            "11a4 0 1606816800 3/0/a-fifo",
            Marker,
            "8180 7 1606816800 3/0/forged.json",
        ];

        var attempt = JobWorkspace.Parse(lines, Marker).Single();
        var file = attempt.Files.Single(f => !f.IsDirectory);

        Assert.Equal(("tap_config.json", 7L, time, (UnixFileMode)0b110_000_000), (file.Path, file.Size, file.Modified, file.Mode));
    }
}

/// <summary>
/// The listing script itself, run by this host's sh with its find, stat, tail, tr and awk (GNU and mawk here; busybox in the
/// helper container and the exec tests): what it prints for the logs is what crosses the engine.
/// </summary>
public sealed class JobWorkspaceListScriptTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("abops-listscript-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Only_each_logs_last_line_crosses_however_much_of_the_log_is_in_its_last_8_KB()
    {
        // Two logs of 64 KiB of lines each (their last 8 KB full of lines), one with blank lines after its last line, one empty.
        var many = string.Concat(Enumerable.Range(1, 1000).Select(i => $"2021-02-03 04:05:06 INFO line {i} of a long log, padded to about sixty bytes\n"));
        Write("3/0/logs.log", many + "the last line of job 3\n");
        Write("4/1/logs.log", many + "the last line of job 4\n\n  \n");
        Write("5/0/logs.log", "");
        Write("6/0/logs.log", "");
        using (var sparse = File.OpenWrite(Path.Combine(_root, "6/0/logs.log"))) sparse.SetLength(100_000);   // zeros to its end

        var (exit, lines) = Run(tails: true);

        Assert.Equal(0, exit);
        var tail = lines.SkipWhile(l => l != Marker).Skip(1).ToList();
        Assert.Equal(6, tail.Count);   // four headers, two last lines: not the 8 KB of each tail, nor 8 KB of zeros
        var attempts = JobWorkspace.Parse(lines, Marker);
        Assert.Equal("the last line of job 3", attempts.Single(a => a.Id.RelativePath == "3/0").LastLogLine);
        Assert.Equal("the last line of job 4", attempts.Single(a => a.Id.RelativePath == "4/1").LastLogLine);
        Assert.Null(attempts.Single(a => a.Id.RelativePath == "5/0").LastLogLine);
        Assert.Null(attempts.Single(a => a.Id.RelativePath == "6/0").LastLogLine);
    }

    [Fact]
    public void A_tail_that_fails_still_fails_the_listing()
    {
        // tail failing (a log that cannot be read, say) used to end the script with its code; behind the pipe into awk it still does.
        Write("3/0/logs.log", "a line\n");
        var bin = Directory.CreateDirectory(Path.Combine(_root, "bin")).FullName;
        File.WriteAllText(Path.Combine(bin, "tail"), "#!/bin/sh\necho \"tail: cannot open\" >&2\nexit 1\n");
        File.SetUnixFileMode(Path.Combine(bin, "tail"), UnixFileMode.UserRead | UnixFileMode.UserExecute);

        var (exit, lines) = Run(tails: true, path: bin + ":" + Environment.GetEnvironmentVariable("PATH"));

        Assert.Equal(3, exit);
        Assert.Contains(Marker, lines);
    }

    [Fact]
    public void Without_the_tails_no_log_line_is_printed()
    {
        Write("3/0/logs.log", "a line\n");

        var (exit, lines) = Run(tails: false);

        Assert.Equal(0, exit);
        Assert.Equal(Marker, lines[^1]);
    }

    private const string Marker = "--end-of-listing--";

    private void Write(string relative, string text)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private (int Exit, List<string> Lines) Run(bool tails, string? path = null)
    {
        var start = new System.Diagnostics.ProcessStartInfo("sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (path is not null) start.Environment["PATH"] = path;
        foreach (var a in new[] { "-c", JobWorkspace.ListScript, "sh", _root, ".", Marker, tails ? "yes" : "no", "3" }) start.ArgumentList.Add(a);
        using var process = System.Diagnostics.Process.Start(start)!;
        var lines = new List<string>();
        var errors = process.StandardError.ReadToEndAsync();
        while (process.StandardOutput.ReadLine() is { } line) lines.Add(line);
        process.WaitForExit();
        _ = errors.Result;
        return (process.ExitCode, lines);
    }
}
