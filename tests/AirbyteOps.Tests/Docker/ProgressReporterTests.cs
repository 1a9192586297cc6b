using AirbyteOps.Progress;

namespace AirbyteOps.Tests.Docker;

/// <summary>The progress line: quiet at first, then plain periodic lines (not a terminal) or one live line (a terminal). The clock is the test's.</summary>
public sealed class ProgressReporterTests
{
    private TimeSpan _now;

    [Fact]
    public void A_short_phase_prints_nothing()
    {
        var lines = new List<string>();
        using (var progress = new ProgressReporter("Copying x", null, 1000, lines.Add, clock: () => _now))
        {
            _now = TimeSpan.FromSeconds(1);
            progress.Add(1, 1000);
        }

        Assert.Empty(lines);
    }

    [Fact]
    public void Without_a_terminal_a_plain_line_every_few_seconds_says_done_of_total_rate_and_time_left()
    {
        var lines = new List<string>();
        using var progress = new ProgressReporter("Copying x", 10, 100L * 1024 * 1024, lines.Add, clock: () => _now);

        _now = TimeSpan.FromSeconds(5);
        progress.Add(2, 20L * 1024 * 1024);
        _now = TimeSpan.FromSeconds(6);
        progress.Add(1, 10L * 1024 * 1024);
        _now = TimeSpan.FromSeconds(10);
        progress.Add(1, 10L * 1024 * 1024);

        Assert.Equal(
        [
            "Copying x: 2 of 10 files, 20.0 MB of 100.0 MB (20 %), 4.0 MB/s, 20 s left",
            "Copying x: 4 of 10 files, 40.0 MB of 100.0 MB (40 %), 4.0 MB/s, 15 s left",
        ], lines);
    }

    [Fact]
    public void On_a_terminal_one_live_line_is_rewritten_and_cleared_at_the_end()
    {
        var lines = new List<string>();
        var terminal = new StringWriter();
        using (var progress = new ProgressReporter("Importing y", null, null, lines.Add, terminal, () => _now))
        {
            _now = TimeSpan.FromSeconds(3);
            progress.Add(0, 3 * 1024);
            _now = TimeSpan.FromSeconds(4);
            progress.Add(0, 1024);
        }

        Assert.Empty(lines);
        Assert.Equal("\rImporting y: 3.0 KB, 1.0 KB/s\u001b[K\rImporting y: 4.0 KB, 1.0 KB/s\u001b[K\r\u001b[K", terminal.ToString());
    }

    [Fact]
    public async Task A_progress_stream_counts_what_is_read_through_it()
    {
        using var progress = new ProgressReporter("Reading", null, 5000, _ => { }, clock: () => _now);
        await using var stream = new ProgressStream(new MemoryStream(new byte[5000]), progress);

        await stream.CopyToAsync(Stream.Null);

        Assert.Equal(5000, progress.Bytes);
        Assert.Equal(512 + 512 + 1024 + 1024, ProgressReporter.TarSize([0, 700]));
    }
}
