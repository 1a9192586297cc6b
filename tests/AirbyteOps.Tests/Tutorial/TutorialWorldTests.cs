using AirbyteOps.Build;
using AirbyteOps.Build.Parameters;
using AirbyteOps.Tutorial;

namespace AirbyteOps.Tests.Tutorial;

/// <summary>
/// Issue 12: a completed Tutorial whose world was then removed. The state file says every step is done; the Tutorial's
/// own steps (BuildContext's, with their real effect checks) judge the real world: a real destination Postgres on the
/// real engine, an Airbyte server URL where nothing answers. The steps' runs are recorded instead of run: a full
/// Tutorial needs the demo stack's fixed names and ports (airbyte-server, 127.0.0.1:8001), which the suite cannot take
/// while other tests or a user's deployment use them; what is proved here is the judgement that decides what is redone.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class TutorialWorldTests(EngineFixture fixture) : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), TestNames.Unique("tutorial-world"));
    private readonly string _destination = TestNames.Unique("dest");
    private readonly string _project = TestNames.Unique("stack");
    private readonly int _port = TestNames.FreePort();
    private readonly string _serverUrl = $"http://127.0.0.1:{TestNames.FreePort()}/api/v1";
    private readonly List<string> _log = [];

    private BuildContext Context() => BuildContext.Create(RepositoryPaths.Root, ParameterReader.ParseArguments(
    [
        "--postgres-container", _destination, "--postgres-port", _port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--project", _project, "--server-url", _serverUrl, "--artifacts", Path.Combine(_folder, "artifacts"), "--local-root", Path.Combine(_folder, "local"),
    ]), line => { lock (_log) _log.Add(line); });

    [Fact]
    public async Task A_completed_tutorial_whose_world_was_removed_is_judged_by_the_world_and_redone_from_the_first_effect_gone()
    {
        using var context = Context();
        var stateFile = Path.Combine(_folder, "artifacts", "tutorial", "state.json");
        var labels = context.TutorialSteps().Select((s, i) => $"{i + 1:00} {s.Name}").ToList();
        Assert.Equal(14, labels.Count);

        // Part of the world is there: the destination, started by the real StartPostgres target; the stack is not.
        await context.StartPostgres();
        var (reports, ran) = await RunRememberingEverythingDoneAsync(context, stateFile, labels);
        Assert.Equal("in place (checked)", reports[0].Outcome);
        Assert.Contains($"Step 02 ComposeUp was done in an earlier run, but its effect is gone: the Airbyte server at {_serverUrl} is not up and " +
            $"healthy (compose project '{_project}'). Redoing the tutorial from this step.", _log);
        Assert.Equal(labels.Skip(1), ran);
        Assert.All(reports.Skip(1), r => Assert.Equal("done", r.Outcome));

        // The world removed: the destination container (and its anonymous volume) gone too.
        await fixture.Engine.Containers.RemoveAsync(_destination, force: true, removeAnonymousVolumes: true);
        _log.Clear();
        (reports, ran) = await RunRememberingEverythingDoneAsync(context, stateFile, labels);
        Assert.Contains($"Step 01 StartPostgres was done in an earlier run, but its effect is gone: the destination Postgres on 127.0.0.1:{_port} " +
            "does not answer a query. Redoing the tutorial from this step.", _log);
        Assert.Equal(labels, ran);
        Assert.DoesNotContain(reports, r => r.Outcome.StartsWith("in place", StringComparison.Ordinal));
    }

    /// <summary>Writes a state file saying every step is done, then runs the Tutorial's own steps, recording each run instead.</summary>
    private async Task<(IReadOnlyList<StepReport> Reports, List<string> Ran)> RunRememberingEverythingDoneAsync(BuildContext context, string stateFile, List<string> labels)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(stateFile)!);
        File.WriteAllText(stateFile, System.Text.Json.JsonSerializer.Serialize(labels));
        var ran = new List<string>();
        var steps = context.TutorialSteps().Select((step, i) => step with { Run = _ => { ran.Add(labels[i]); return Task.CompletedTask; } }).ToList();
        var reports = await new TutorialOperation().RunAsync(new TutorialOptions(stateFile, steps, Restart: false), line => { lock (_log) _log.Add(line); });
        return (reports, ran);
    }

    public void Dispose()
    {
        fixture.Engine.Containers.RemoveAsync(_destination, force: true, removeAnonymousVolumes: true).GetAwaiter().GetResult();
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }
}
