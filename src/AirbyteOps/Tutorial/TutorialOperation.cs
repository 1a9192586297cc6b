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
                // This step, and the next when it runs beside this one (every later step runs once one has: see above).
                var group = step.BesideNext && i + 1 < steps.Count ? 2 : 1;
                var labels = Enumerable.Range(i, group).Select(j => $"{j + 1:00} {steps[j].Name}").ToList();
                log(group == 1 ? $"==> Step {label}" : $"==> Steps {string.Join(" and ", labels)}, at the same time (neither needs the other)");
                var runs = Enumerable.Range(0, group)
                    .Select(k => group == 1 ? RunStepAsync(labels[k], steps[i + k], beside: false, ct) : Task.Run(() => RunStepAsync(labels[k], steps[i + k], beside: true, ct), ct))
                    .ToList();
                await Task.WhenAll(runs).ConfigureAwait(false);
                foreach (var run in runs)
                {
                    reports.Add(run.Result.Report);
                    if (run.Result.Error is null) done.Add(run.Result.Report.Step);
                }
                Save(stateFile, done);
                if (runs.Select((run, k) => (run.Result.Error, Step: steps[i + k])).FirstOrDefault(r => r.Error is not null) is ({ } error, { } failed))
                {
                    for (var j = i + group; j < steps.Count; j++) reports.Add(new StepReport($"{j + 1:00} {steps[j].Name}", "not run", TimeSpan.Zero));
                    throw new TutorialStepFailedException($"Tutorial step '{failed.Name}' failed: {error.Message.Split('\n')[0]} Fix it and run ./build.sh Tutorial again: finished steps are not redone.", error);
                }
                i += group - 1;
            }
        }
        finally
        {
            PrintTable(reports, log);
        }
        return reports;
    }

    /// <summary>
    /// Runs one step and times it: its report and, when it failed, why (a cancellation is thrown). A step beside another
    /// logs under its label.
    /// </summary>
    private static async Task<(StepReport Report, Exception? Error)> RunStepAsync(string label, TutorialStep step, bool beside, CancellationToken ct)
    {
        if (beside) StepLog.Enter(label);
        var clock = Stopwatch.StartNew();
        try
        {
            await step.Run(ct).ConfigureAwait(false);
            return (new StepReport(label, "done", clock.Elapsed), null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return (new StepReport(label, "FAILED: " + ex.Message.Split('\n')[0], clock.Elapsed), ex);
        }
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
