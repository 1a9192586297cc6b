using System.Formats.Tar;
using System.Text;

namespace AirbyteOps.Workspace.Tests;

/// <summary>Reading jobs and attempts from the tar headers of a volume archive (what the engine streams).</summary>
public sealed class JobWorkspaceTarTests
{
    [Fact]
    public async Task Groups_entries_by_numeric_job_and_attempt_newest_first_with_the_last_log_line()
    {
        var bigLog = new StringBuilder();
        for (var i = 0; i < 5000; i++) bigLog.Append("line ").Append(i).Append('\n');
        bigLog.Append("the very last line\n\n");
        var tar = new TarBuilder()
            .File("volume/9/0/logs.log", "a\nlast of 9\n")
            .File("volume/9/0/normalize/models/generated/x.sql", "select 1")
            .File("volume/12/1/logs.log", bigLog.ToString())
            .File("volume/12/0/logs.log", "")
            .File("volume/10/0/catalog.json", "{}")
            .File("volume/lost+found/x", "not a job")
            .Build();

        var attempts = await JobWorkspace.ReadTarAsync(tar, stripFirst: true);

        Assert.Equal(new[] { "12/1", "12/0", "10/0", "9/0" }, attempts.Select(a => a.Id.RelativePath));
        Assert.Equal("the very last line", attempts[0].LastLogLine);
        Assert.Equal(bigLog.Length, attempts[0].Log!.Size);
        Assert.Null(attempts[1].LastLogLine);
        Assert.Null(attempts[2].Log);
        Assert.Equal("last of 9", attempts[3].LastLogLine);
        Assert.True(attempts[3].HasNormalization);
        Assert.False(attempts[0].HasNormalization);
        Assert.Equal(new[] { "normalize/models/generated/x.sql" }, attempts[3].Models);
    }

    [Fact]
    public async Task Keeps_sizes_modes_and_times_from_the_headers()
    {
        var time = new DateTimeOffset(2020, 12, 1, 10, 0, 0, TimeSpan.Zero);
        var tar = new TarBuilder().File("3/0/tap_config.json", "{\"k\":1}", (UnixFileMode)0b110_000_000, time).Build();

        var file = (await JobWorkspace.ReadTarAsync(tar, stripFirst: false)).Single().Files.Single(f => !f.IsDirectory);

        Assert.Equal(("tap_config.json", 7L, time, (UnixFileMode)0b110_000_000), (file.Path, file.Size, file.Modified, file.Mode));
    }
}
