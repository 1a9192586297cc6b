using AirbyteOps.Testing;

namespace AirbyteOps.Tests.Testing;

public sealed class TestSummaryTests
{
    [Fact]
    public void A_skipped_xunit_test_counts_as_skipped_though_its_runner_leaves_notExecuted_at_zero()
    {
        // As dotnet test wrote it for the demo stack's suite with one [Fact(Skip = ...)].
        var summary = FromCounters("""total="34" executed="33" passed="33" failed="0" error="0" timeout="0" aborted="0" inconclusive="0" notExecuted="0" """);

        Assert.Equal(new TestSummary(33, 0, 1), summary);
    }

    [Fact]
    public void Reads_passed_failed_and_not_executed_from_a_trx_file()
    {
        var summary = FromCounters("""total="10" executed="9" passed="6" failed="2" error="1" timeout="0" aborted="0" inconclusive="0" notExecuted="1" """)
            .Add(new TestSummary(1, 0, 0));

        Assert.Equal(new TestSummary(7, 3, 1), summary);
        Assert.Equal("7 passed, 3 failed, 1 skipped", summary.ToString());
    }

    /// <summary>Reads a TRX file whose only content is a ResultSummary with these Counters attributes.</summary>
    private static TestSummary FromCounters(string attributes)
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, $"""
                <?xml version="1.0" encoding="utf-8"?>
                <TestRun xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">
                  <ResultSummary outcome="Completed">
                    <Counters {attributes}/>
                  </ResultSummary>
                </TestRun>
                """);
            return TestSummary.FromTrx(path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
