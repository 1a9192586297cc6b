using System.Text.Json;
using AirbyteOps.StandIns.DemoStack.Scheduler;
using AirbyteOps.StandIns.DemoStack.Worker;

namespace AirbyteOps.DemoStack.Tests.Contract;

/// <summary>
/// The attempts.output the stand-in scheduler writes, checked against v0.7.1-alpha's JobOutput.yaml (and what the
/// check itself refuses), so the integration tests' schema checks can fail.
/// </summary>
public sealed class JobOutputSchemaContractTests
{
    private static readonly ConfigTypeSchemas Schemas = ConfigTypeSchemas.For(AirbyteReference.V071);

    [Fact]
    public void The_scheduler_output_with_state_is_a_valid_0_7_1_JobOutput()
    {
        var summary = new SyncSummary("completed", 3, 120, DateTimeOffset.FromUnixTimeMilliseconds(1000), DateTimeOffset.FromUnixTimeMilliseconds(2000));
        var output = JobProcessor.Output(summary, new() { ["start_date"] = "2020-12-21" }, Guid.NewGuid().ToString())!;
        using var document = JsonDocument.Parse(output.ToJsonString());

        Assert.Empty(JobOutputSchema.Problems("output", document.RootElement));
        Assert.Equal("sync", output["outputType"]!.GetValue<string>());
    }

    [Fact]
    public void The_JobOutput_check_refuses_what_0_7_1_refuses_and_only_tolerates_the_jobId_the_real_summary_could_not_hold()
    {
        using var missingState = JsonDocument.Parse("""{"outputType":"sync","sync":{"standardSyncSummary":{"status":"completed","recordsSynced":1,"bytesSynced":2,"startTime":1,"endTime":2}}}""");
        Assert.Contains(JobOutputSchema.Problems("no state", missingState.RootElement), p => p.Contains("state", StringComparison.Ordinal));
        using var badState = JsonDocument.Parse("""{"outputType":"sync","sync":{"standardSyncSummary":{"status":"completed","recordsSynced":1,"bytesSynced":2,"startTime":1,"endTime":2},"state":{"connectionId":"not-a-uuid","state":{}}}}""");
        Assert.Contains(JobOutputSchema.Problems("bad state", badState.RootElement), p => p.Contains("/connectionId", StringComparison.Ordinal));
        // StandardSyncSummary.yaml of 0.7.1 requires jobId but declares no such property under additionalProperties: false,
        // so no document satisfies it; the Java class generated from it had no jobId, so real outputs carried none.
        using var withJobId = JsonDocument.Parse("""{"jobId":1,"status":"completed","recordsSynced":1,"bytesSynced":2,"startTime":1,"endTime":2}""");
        Assert.NotEmpty(Schemas.Check("summary with jobId", "StandardSyncSummary.yaml", withJobId.RootElement));
    }

}

/// <summary>JobOutput.yaml of v0.7.1-alpha, less the one problem no document can avoid (see the test above).</summary>
public static class JobOutputSchema
{
    public static IReadOnlyList<string> Problems(string what, JsonElement output) =>
        ConfigTypeSchemas.For(AirbyteReference.V071).Check(what, "JobOutput.yaml", output)
            .Where(p => !(p.Contains("'/sync/standardSyncSummary'", StringComparison.Ordinal) && p.Contains("jobId", StringComparison.Ordinal)))
            .ToList();
}
