namespace AirbyteOps.Workspace.Tests;

public sealed class JobAttemptIdTests
{
    [Fact]
    public void Newest_is_by_number_so_job_12_comes_after_job_9()
    {
        var ids = new[] { "9/0", "12/0", "10/0", "12/1", "2/0", "1/3" }
            .Select(p => JobAttemptId.TryParsePath(p, out var id, out _) ? id : throw new InvalidOperationException(p))
            .ToList();

        var sorted = ids.Order().Select(i => i.RelativePath).ToList();

        Assert.Equal(new[] { "1/3", "2/0", "9/0", "10/0", "12/0", "12/1" }, sorted);
        Assert.Equal("9/0", ids.Select(i => i.RelativePath).Order(StringComparer.Ordinal).Last()); // what a text sort picks
    }

    [Theory]
    [InlineData("12/1/normalize/models/x.sql", 12, 1, "normalize/models/x.sql")]
    [InlineData("3/0", 3, 0, "")]
    [InlineData("/7/2/logs.log/", 7, 2, "logs.log")]
    public void Parses_job_and_attempt_folders(string path, long job, long attempt, string rest)
    {
        Assert.True(JobAttemptId.TryParsePath(path, out var id, out var remainder));
        Assert.Equal(new JobAttemptId(job, attempt), id);
        Assert.Equal(rest, remainder);
    }

    [Theory]
    [InlineData("lost+found/0")]
    [InlineData("12")]
    [InlineData("12/a/logs.log")]
    [InlineData("-1/0")]
    [InlineData("1e3/0")]
    public void Ignores_folders_that_are_not_jobs(string path) =>
        Assert.False(JobAttemptId.TryParsePath(path, out _, out _));
}
