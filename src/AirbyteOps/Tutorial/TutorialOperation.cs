using AirbyteOps.IO;
using System.Diagnostics;
using System.Text.Json;

namespace AirbyteOps.Tutorial;

/// <summary>
/// Runs the tutorial's steps in order. The state file remembers finished steps, but never overrules the world: a
/// remembered step whose effect check finds its effect gone (the destination removed, the stack wiped) is redone, with
/// every step after it, and the run says which effect was missing. So a run after a failure resumes at the failed step,
/// a run after success reports every step as in place, and a run after the world was removed rebuilds it.
/// Ends with a table: step, outcome, time.
/// </summary>
public sealed class TutorialOperation
{
    public async Task<IReadOnlyList<StepReport>> RunAsync(TutorialOptions options, Action<string> log, CancellationToken ct = default)
    {
        var (stateFile, steps) = (options.StateFile, options.Steps);
        if (options.Restart && File.Exists(stateFile)) File.Delete(stateFile);
        var done = Load(stateFile);
        var reports = new List<StepReport>();
        var redoing = false; // once a step runs, every later one runs too: each builds on the one before
        try
        {
            for (var i = 0; i < steps.Count; i++)
            {
                var step = steps[i];
                var label = $"{i + 1:00} {step.Name}";
                if (!redoing && done.Contains(label))
                {
                    var missing = await MissingEffectAsync(step, ct).ConfigureAwait(false);
                    if (missing is null)
                    {
                        reports.Add(new StepReport(label, step.Effect is null ? "in place (done in an earlier run)" : "in place (checked)", TimeSpan.Zero));
                        continue;
                    }
                    log($"Step {label} was done in an earlier run, but its effect is gone: {missing}. Redoing the tutorial from this step.");
                }
                redoing = true;
                done.RemoveWhere(d => string.CompareOrdinal(d, label) >= 0);
                Save(stateFile, done);
                log($"==> Step {label}");
                var clock = Stopwatch.StartNew();
                try
                {
                    await step.Run(ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    reports.Add(new StepReport(label, "FAILED: " + ex.Message.Split('\n')[0], clock.Elapsed));
                    for (var j = i + 1; j < steps.Count; j++) reports.Add(new StepReport($"{j + 1:00} {steps[j].Name}", "not run", TimeSpan.Zero));
                    throw new TutorialStepFailedException($"Tutorial step '{step.Name}' failed: {ex.Message.Split('\n')[0]} Fix it and run ./build.sh Tutorial again: finished steps are not redone.", ex);
                }
                done.Add(label);
                Save(stateFile, done);
                reports.Add(new StepReport(label, "done", clock.Elapsed));
            }
        }
        finally
        {
            PrintTable(reports, log);
        }
        return reports;
    }

    /// <summary>What the step's effect check finds missing (null: there, or nothing to check); a check that fails says why.</summary>
    private static async Task<string?> MissingEffectAsync(TutorialStep step, CancellationToken ct)
    {
        if (step.Effect is null) return null;
        try
        {
            return await step.Effect(ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return $"checking it failed ({ex.Message.Split('\n')[0].TrimEnd('.')})";
        }
    }

    private static void PrintTable(IReadOnlyList<StepReport> reports, Action<string> log)
    {
        if (reports.Count == 0) return;
        var width = Math.Max(4, reports.Max(r => r.Step.Length));
        log("");
        log($"{"STEP".PadRight(width)}  {"TIME",7}  OUTCOME");
        foreach (var r in reports)
            log($"{r.Step.PadRight(width)}  {(r.Took == TimeSpan.Zero ? "-" : $"{r.Took.TotalSeconds:0.0} s"),7}  {r.Outcome}");
    }

    private static HashSet<string> Load(string stateFile)
    {
        if (!File.Exists(stateFile)) return [];
        try
        {
            return JsonSerializer.Deserialize<HashSet<string>>(File.ReadAllText(stateFile)) ?? [];
        }
        catch (JsonException)
        {
            return []; // A damaged state file means the steps run again from the start.
        }
    }

    // Written beside and renamed, so a kill mid-write never leaves a half state.
    private static void Save(string stateFile, HashSet<string> done) =>
        AtomicFile.WriteAllText(stateFile, JsonSerializer.Serialize(done.Order(StringComparer.Ordinal)));
}
