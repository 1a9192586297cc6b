using System.Diagnostics;
using System.Text.Json;
using AirbyteOps.Docker;

namespace AirbyteOps.Setups.Database;

/// <summary>
/// The deployment's writers (server and scheduler; never the database) held still while a setup is captured or
/// restored, and put back exactly as they were found: ExportSetup pauses them (<c>docker pause</c>: frozen in place in
/// milliseconds, connections and in-flight requests kept, nothing restarted); RestoreSetup stops them (a database can
/// only be renamed once nobody is connected to it) and starts them again. Containers that were stopped, paused or absent
/// are left alone. What was changed is recorded in a file first, so that a run killed before it could put them back
/// is repaired by the next ExportSetup or RestoreSetup (<see cref="RecoverAsync"/>).
/// </summary>
internal sealed class Writers
{
    private readonly DockerEngine _engine;
    private readonly string _recordFile;
    private readonly List<string> _changed = [];
    private readonly Stopwatch _clock = new();
    private string _action = "";

    private Writers(DockerEngine engine, string recordFile)
    {
        _engine = engine;
        _recordFile = recordFile;
    }

    /// <summary>How long the writers were held (from the first pause or stop to the last unpause or start).</summary>
    public TimeSpan Held => _clock.Elapsed;
    public IReadOnlyList<string> Changed => _changed;

    /// <summary>Where the record of held writers lives for a deployment (its database container names it).</summary>
    public static string RecordFileFor(string artifacts, string databaseContainer) =>
        Path.Combine(Path.GetFullPath(artifacts), "quiesce", databaseContainer + ".json");

    public static async Task<Writers> PauseAsync(DockerEngine engine, IEnumerable<string> names, string recordFile, Action<string> log, CancellationToken ct) =>
        await HoldAsync(engine, names, recordFile, "paused", log, ct).ConfigureAwait(false);

    public static async Task<Writers> StopAsync(DockerEngine engine, IEnumerable<string> names, string recordFile, Action<string> log, CancellationToken ct) =>
        await HoldAsync(engine, names, recordFile, "stopped", log, ct).ConfigureAwait(false);

    private static async Task<Writers> HoldAsync(DockerEngine engine, IEnumerable<string> names, string recordFile, string action, Action<string> log, CancellationToken ct)
    {
        var writers = new Writers(engine, recordFile) { _action = action };
        // Asked side by side, kept in the order given.
        var distinct = names.Distinct(StringComparer.Ordinal).ToList();
        var found = await Task.WhenAll(distinct.Select(name => engine.Containers.FindAsync(name, ct))).ConfigureAwait(false);
        var running = distinct.Where((_, i) => found[i]?.IsRunning == true).ToList();
        if (running.Count == 0) return writers;
        Record(recordFile, action, running);
        log($"{(action == "paused" ? "Pausing" : "Stopping")} the writers ({string.Join(", ", running)}) so nothing changes while {(action == "paused" ? "the configuration and the database are captured" : "the database and the configuration are swapped")}...");
        writers._clock.Start();
        try
        {
            // Recorded before acting: a container this run may have changed is one the next run checks. All of them are
            // paused or stopped at the same time (each stop is SIGTERM, then up to 10 s to exit before a kill): the hold
            // begins when the slowest is held, not after the sum of them. Task.WhenAll waits for every one, failed or not.
            writers._changed.AddRange(running);
            await Task.WhenAll(running.Select(name => action == "paused"
                ? engine.Containers.PauseAsync(name, ct)
                : engine.Containers.StopAsync(name, TimeSpan.FromSeconds(10), ct))).ConfigureAwait(false);
        }
        catch
        {
            await writers.ReleaseAsync(_ => { }).ConfigureAwait(false);
            throw;
        }
        return writers;
    }

    /// <summary>
    /// Puts back every writer this run held: unpause or start. Never cancelled; an engine that does not answer is retried
    /// for up to a minute (it may be restarting), then the error names the containers and the command that frees them.
    /// </summary>
    public Task ReleaseAsync(Action<string> log) => ReleaseAsync(log, null, null);

    /// <summary>
    /// The same, <paramref name="first"/> (when this run held it) put back alone before the others, and
    /// <paramref name="firstBack"/> completed as soon as it is (or at once when it was not held): the caller can begin what
    /// needs only that one (RestoreSetup: the server's health wait) while the others are started.
    /// </summary>
    public async Task ReleaseAsync(Action<string> log, string? first, TaskCompletionSource? firstBack)
    {
        try
        {
            if (_changed.Count == 0) return;
            var putBack = Stopwatch.StartNew();
            var rest = new List<string>(_changed);
            if (first is not null && rest.Remove(first))
            {
                try
                {
                    await PutBackAsync([first]).ConfigureAwait(false);
                }
                catch (DockerOpsException)
                {
                    // The others are still put back (as when all are started at once); the first's failure is the one thrown
                    // and the record stays, so the next run starts whatever is still stopped.
                    try
                    {
                        await PutBackAsync(rest).ConfigureAwait(false);
                    }
                    catch (DockerOpsException)
                    {
                    }
                    throw;
                }
                firstBack?.TrySetResult();
            }
            await PutBackAsync(rest).ConfigureAwait(false);
            _clock.Stop();
            log($"Writers {(_action == "paused" ? "unpaused" : "started again")} ({string.Join(", ", _changed)}); they were held {Held.TotalSeconds:0.###} s{(_action == "stopped" ? $", of which starting them took {putBack.Elapsed.TotalSeconds:0.###} s" : "")}.");
            _changed.Clear();
            if (File.Exists(_recordFile)) File.Delete(_recordFile);
        }
        finally
        {
            // Not held, or the first failed: the caller's wait ends (the failure is this task's).
            firstBack?.TrySetResult();
        }
    }

    /// <summary>
    /// Unpauses or starts <paramref name="names"/>, all at the same time. Never cancelled; an engine that does not answer
    /// is retried for up to a minute, then the error names the containers left and the command that frees them.
    /// </summary>
    private async Task PutBackAsync(List<string> names)
    {
        var left = new List<string>(names);
        // An engine that does not answer (restarting, a cut connection) is retried: every error of the engine is a
        // DockerOpsException, which Readiness would not retry.
        var clock = Stopwatch.StartNew();
        DockerOpsException? last = null;
        while (left.Count > 0)
        {
            // Every one put back at the same time; those that failed are tried again.
            var failed = await Task.WhenAll(left.Select(async name =>
            {
                try
                {
                    await PutBackAsync(_engine, name, _action, CancellationToken.None).ConfigureAwait(false);
                    return (DockerOpsException?)null;
                }
                catch (DockerOpsException ex)
                {
                    return ex;
                }
            })).ConfigureAwait(false);
            if (failed.All(e => e is null))
            {
                left.Clear();
                break;
            }
            last = failed.First(e => e is not null);
            left = left.Where((_, i) => failed[i] is not null).ToList();
            if (clock.Elapsed >= TimeSpan.FromMinutes(1)) break;
            await Task.Delay(TimeSpan.FromMilliseconds(500)).ConfigureAwait(false);
        }
        if (left.Count > 0)
        {
            _clock.Stop();
            throw new DockerOpsException($"Could not put the writers back: {string.Join(", ", left)} {(left.Count == 1 ? "is" : "are")} still {_action}; run docker {(_action == "paused" ? "unpause" : "start")} {string.Join(' ', left)} (or run ExportSetup/RestoreSetup again, which does it first).", last!);
        }
    }

    private static async Task PutBackAsync(DockerEngine engine, string name, string action, CancellationToken ct)
    {
        var info = await engine.Containers.FindAsync(name, ct).ConfigureAwait(false);
        if (info is null) return;
        if (action == "paused" && info.State == "paused") await engine.Containers.UnpauseAsync(name, ct).ConfigureAwait(false);
        else if (action == "stopped" && info.State is "exited" or "created") await engine.Containers.StartAsync(name, ct).ConfigureAwait(false);
    }

    /// <summary>Writers a killed earlier run left paused or stopped (its record says which) are put back; returns what it did or null.</summary>
    public static async Task<string?> RecoverAsync(DockerEngine engine, string recordFile, CancellationToken ct)
    {
        if (!File.Exists(recordFile)) return null;
        RecordDocument? record;
        try
        {
            record = JsonSerializer.Deserialize<RecordDocument>(File.ReadAllBytes(recordFile), SetupJson.Options);
        }
        catch (JsonException)
        {
            record = null;
        }
        if (record?.Containers is not { Count: > 0 } names || record.Action is not ("paused" or "stopped"))
        {
            File.Delete(recordFile);
            return null;
        }
        foreach (var name in names) await PutBackAsync(engine, name, record.Action, ct).ConfigureAwait(false);
        File.Delete(recordFile);
        return $"An earlier run (started {record.At:u}) left the writers {record.Action}; put them back ({string.Join(", ", names)}).";
    }

    private static void Record(string recordFile, string action, IReadOnlyList<string> names)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(recordFile)!);
        var temporary = recordFile + ".tmp";
        File.WriteAllBytes(temporary, JsonSerializer.SerializeToUtf8Bytes(new RecordDocument { Action = action, Containers = names.ToList(), At = DateTimeOffset.UtcNow }, SetupJson.Options));
        File.Move(temporary, recordFile, overwrite: true);
    }

    private sealed class RecordDocument
    {
        public string? Action { get; set; }
        public List<string>? Containers { get; set; }
        public DateTimeOffset At { get; set; }
    }
}
