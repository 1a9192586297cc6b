using AirbyteOps.Tutorial;

namespace AirbyteOps.Tests.Tutorial;

/// <summary>The Tutorial's resume logic with fake steps over a fake world: no Docker needed.</summary>
public sealed class TutorialOperationTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), TestNames.Unique("tutorial"));
    private readonly List<string> _log = [];
    private readonly List<string> _ran = [];
    /// <summary>The fake world: which effects exist.</summary>
    private readonly HashSet<string> _world = [];

    private string StateFile => Path.Combine(_folder, "state.json");

    /// <summary>Four steps: a destination (effect checked), a wipe (no lasting effect), a stack and a table (checked).</summary>
    private IReadOnlyList<TutorialStep> Steps() =>
    [
        Step("StartPostgres", "destination"),
        Step("WipeVolumes", null),
        Step("ComposeUp", "stack"),
        Step("DbtRun", "table"),
    ];

    private TutorialStep Step(string target, string? effect) => new(target, null, _ =>
    {
        _ran.Add(target);
        if (effect is not null) _world.Add(effect);
        return Task.CompletedTask;
    })
    {
        Effect = effect is null ? null : _ => Task.FromResult(_world.Contains(effect) ? null : $"the {effect} is gone"),
    };

    private Task<IReadOnlyList<StepReport>> RunAsync(bool restart = false) =>
        new TutorialOperation().RunAsync(new TutorialOptions(StateFile, Steps(), restart), _log.Add);

    [Fact]
    public async Task A_second_run_with_the_world_intact_redoes_nothing_and_says_it_checked()
    {
        await RunAsync();
        Assert.Equal(["StartPostgres", "WipeVolumes", "ComposeUp", "DbtRun"], _ran);
        _ran.Clear();
        var reports = await RunAsync();
        Assert.Empty(_ran);
        Assert.Equal(["in place (checked)", "in place (done in an earlier run)", "in place (checked)", "in place (checked)"], reports.Select(r => r.Outcome));
    }

    [Fact]
    public async Task When_the_world_was_removed_the_state_file_does_not_overrule_it_and_everything_is_rebuilt()
    {
        await RunAsync();
        _world.Clear(); // containers, volumes and the destination removed
        _ran.Clear();
        var reports = await RunAsync();
        Assert.Equal(["StartPostgres", "WipeVolumes", "ComposeUp", "DbtRun"], _ran);
        Assert.All(reports, r => Assert.Equal("done", r.Outcome));
        Assert.Contains(_log, l => l.StartsWith("Step 01 StartPostgres was done in an earlier run, but its effect is gone: the destination is gone.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task When_one_effect_is_gone_the_run_says_which_and_redoes_from_there_on()
    {
        await RunAsync();
        _world.Remove("stack");
        _ran.Clear();
        var reports = await RunAsync();
        Assert.Equal(["ComposeUp", "DbtRun"], _ran); // DbtRun's table is still there, but it comes after the redone step
        Assert.Equal(["in place (checked)", "in place (done in an earlier run)", "done", "done"], reports.Select(r => r.Outcome));
        Assert.Contains(_log, l => l.Contains("03 ComposeUp", StringComparison.Ordinal) && l.Contains("the stack is gone", StringComparison.Ordinal));
        _ran.Clear();
        await RunAsync();
        Assert.Empty(_ran);
    }

    [Fact]
    public async Task A_failed_check_counts_as_a_missing_effect_naming_the_failure()
    {
        await RunAsync();
        var steps = Steps().ToList();
        steps[0] = steps[0] with { Effect = _ => throw new InvalidOperationException("connection refused") };
        _ran.Clear();
        await new TutorialOperation().RunAsync(new TutorialOptions(StateFile, steps, false), _log.Add);
        Assert.Equal(4, _ran.Count);
        Assert.Contains(_log, l => l.Contains("checking it failed (connection refused)", StringComparison.Ordinal));
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }
}
