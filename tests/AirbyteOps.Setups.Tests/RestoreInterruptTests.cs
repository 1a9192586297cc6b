using AirbyteOps.Docker;

namespace AirbyteOps.Setups.Tests;

/// <summary>
/// Issue 12, interrupts: Ctrl-C or SIGTERM becomes cancellation (BuildContext); a RestoreSetup cancelled at any of its
/// durable steps puts the previous configuration back, says so, and leaves no helper container behind.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class RestoreInterruptTests(EngineFixture fixture)
{
    [Theory]
    [InlineData("staged")]
    [InlineData("swap-begun")]
    [InlineData("swapped")]
    public async Task A_restore_cancelled_mid_way_rolls_back_and_says_so(string step)
    {
        await using var d = await TestDeployment.CreateAsync(fixture.Engine);
        await d.SeedAsync(SampleTree.Items("the-setup"));
        await new ExportSetupOperation(d.Engine).RunAsync(d.Export(), _ => { });
        await d.SeedAsync(SampleTree.Items("live-before-restore"));
        var before = await d.ListAsync(includeWorkArea: true);

        using var interrupt = new CancellationTokenSource();
        var log = new List<string>();
        var options = d.Restore() with
        {
            Checkpoint = (reached, _) =>
            {
                if (reached == step) interrupt.Cancel();
                return Task.CompletedTask;
            },
        };
        var error = await Assert.ThrowsAsync<SetupException>(() => new RestoreSetupOperation(d.Engine).RunAsync(options, log.Add, interrupt.Token));
        Assert.Contains("interrupted (Ctrl-C or SIGTERM)", error.Message);
        Assert.Contains("The previous configuration was put back and verified; nothing changed", error.Message);
        Assert.Equal(before, await d.ListAsync(includeWorkArea: true));
        var helpers = (await d.Engine.Containers.ListAsync([Labels.Managed])).Where(c => c.Mounts.Any(m => m.Name == d.Volume) && c.Name.TrimStart('/') != d.Server).ToList();
        Assert.Empty(helpers);
    }
}
