namespace AirbyteOps.Workspace.Tests;

public sealed class DbtOutputTests
{
    [Theory]
    [InlineData("Done. PASS=1 WARN=0 ERROR=0 SKIP=0 TOTAL=1", 1, 0, 0, 0, 1)]
    [InlineData("15:37:55 | Done. PASS=3 WARN=1 ERROR=2 SKIP=4 TOTAL=10", 3, 1, 2, 4, 10)]
    [InlineData("\u001b[32m12:00:01  Done. PASS=12 WARN=0 ERROR=1 SKIP=0 TOTAL=13\u001b[0m", 12, 0, 1, 0, 13)]
    public void Reads_the_counts_of_the_Done_line(string line, int pass, int warn, int error, int skip, int total) =>
        Assert.Equal((pass, warn, error, skip, total), DbtOutput.ParseDoneLine(line));

    [Theory]
    [InlineData("Completed successfully")]
    [InlineData("Done.")]
    [InlineData("Done. PASS=1 WARN=0 ERROR=0")]
    [InlineData("1 of 1 OK created table model quarantine.covid_epidemiology........ [SELECT 17911 in 0.30s]")]
    public void Other_lines_are_not_a_verdict(string line) => Assert.Null(DbtOutput.ParseDoneLine(line));

    [Fact]
    public void Errors_or_a_non_zero_exit_fail_the_result()
    {
        Assert.True(new DbtResult(1, 0, 0, 0, 1, 0).Succeeded);
        Assert.False(new DbtResult(0, 0, 1, 0, 1, 0).Succeeded);
        Assert.False(new DbtResult(1, 0, 0, 0, 1, 2).Succeeded);
        var failure = Assert.Throws<WorkspaceException>(() => new DbtResult(0, 0, 1, 0, 1, 1) { DoneLineSeen = true }.ThrowIfFailed());
        Assert.Contains("ERROR=1", failure.Message, StringComparison.Ordinal);
    }
}
