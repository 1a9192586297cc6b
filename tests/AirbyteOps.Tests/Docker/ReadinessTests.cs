using AirbyteOps.Docker;

namespace AirbyteOps.Tests.Docker;

public sealed class ReadinessTests
{
    [Fact]
    public async Task Returns_on_the_first_successful_probe_and_probes_no_more()
    {
        var calls = 0;

        await Readiness.WaitUntilAsync("the thing", _ => Task.FromResult(++calls >= 3), TimeSpan.FromMinutes(5), TimeSpan.FromMilliseconds(1));

        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task Times_out_naming_what_it_waited_for_and_the_last_error()
    {
        var error = await Assert.ThrowsAsync<DockerOpsException>(() => Readiness.WaitUntilAsync("the flux capacitor",
            _ => throw new InvalidOperationException("not charged\nsecond line"), TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(5)));

        Assert.Contains("the flux capacitor", error.Message);
        Assert.Contains("not charged", error.Message);
        Assert.DoesNotContain("second line", error.Message);
    }
}
