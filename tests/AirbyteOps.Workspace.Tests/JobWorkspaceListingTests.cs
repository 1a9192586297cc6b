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
