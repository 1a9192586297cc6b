using System.Diagnostics;
using AirbyteOps.Locks;

namespace AirbyteOps.Faults.Tests;

/// <summary>
/// The deployment lock between real processes (this assembly started as children, see <see cref="Program"/>): readers
/// (ExportSetup, ExtractNormalization: shared) run side by side, a writer (RestoreSetup: exclusive) waits for all of
/// them naming each, a reader waits for a writer and fails naming it, and a holder killed with SIGKILL is recognised and
/// named by the next one. No engine is needed: the lock is a file under a test folder.
/// </summary>
public sealed class LockProcessTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), TestNames.Unique("locks"));
    private readonly List<Holder> _holders = [];

    private string LockPath => DeploymentLock.PathFor("unix:///var/run/docker.sock", "airbyte", _directory);

    [Fact]
    public async Task Two_readers_in_two_processes_hold_it_together_and_a_writer_waits_for_both_naming_them()
    {
        var export = Start("ExportSetup", LockMode.Shared, 30);
        Assert.True(await export.UntilAsync("HELD"), export.Output);
        var extract = Start("ExtractNormalization", LockMode.Shared, 30);
        Assert.True(await extract.UntilAsync("HELD"), extract.Output);
        // The second reader did not wait for the first.
        Assert.DoesNotContain(extract.Lines, l => l.Contains("waiting", StringComparison.Ordinal));
        Assert.Equal(2, DeploymentLock.ReadHolders(LockPath).Count);

        var restore = Start("RestoreSetup", LockMode.Exclusive, 60);
        Assert.True(await restore.UntilAsync(l => l.Contains("is in use by", StringComparison.Ordinal)), restore.Output);
        var waiting = restore.Lines.Single(l => l.Contains("is in use by", StringComparison.Ordinal));
        Assert.Contains($"ExportSetup (process {export.Process.Id}", waiting);
        Assert.Contains($"ExtractNormalization (process {extract.Process.Id}", waiting);
        Assert.Contains("waiting up to 60 s", waiting);

        await export.ReleaseAsync();
        Assert.DoesNotContain("HELD", restore.Lines); // one reader still holds it
        await extract.ReleaseAsync();
        Assert.True(await restore.UntilAsync("HELD"), restore.Output);
        Assert.DoesNotContain(restore.Lines, l => l.StartsWith("Took over", StringComparison.Ordinal)); // both released cleanly
        Assert.Equal(("RestoreSetup", restore.Process.Id), DeploymentLock.ReadHolders(LockPath) is [var only] ? (only.Target, only.Pid) : default);
        await restore.ReleaseAsync();
        Assert.Empty(DeploymentLock.HolderFiles(LockPath));
    }

    [Fact]
    public async Task A_reader_waits_for_a_writer_then_fails_naming_it()
    {
        var restore = Start("RestoreSetup", LockMode.Exclusive, 30);
        Assert.True(await restore.UntilAsync("HELD"), restore.Output);

        var export = Start("ExportSetup", LockMode.Shared, 1);
        Assert.True(await export.UntilAsync(l => l.StartsWith("BUSY ", StringComparison.Ordinal)), export.Output);
        await export.Process.WaitForExitAsync();

        Assert.Equal(1, export.Process.ExitCode);
        Assert.Contains(export.Lines, l => l.Contains($"is in use by RestoreSetup (process {restore.Process.Id}", StringComparison.Ordinal));
        var busy = export.Lines.Single(l => l.StartsWith("BUSY ", StringComparison.Ordinal));
        Assert.Contains($"RestoreSetup (process {restore.Process.Id}", busy);
        Assert.Contains("--lock-timeout", busy);
        await restore.ReleaseAsync();
    }

    [Fact]
    public async Task Holders_killed_with_SIGKILL_are_recognised_and_named_by_the_next_reader_and_writer()
    {
        var alive = Start("ExportSetup", LockMode.Shared, 30);
        Assert.True(await alive.UntilAsync("HELD"), alive.Output);
        var killed = Start("ExtractNormalization", LockMode.Shared, 30);
        Assert.True(await killed.UntilAsync("HELD"), killed.Output);
        await ChildProcess.KillAsync(killed.Process); // no finally runs: its holder file stays behind
        Assert.Equal(2, DeploymentLock.HolderFiles(LockPath).Count);

        // A reader clears the dead reader's file, not the live one's.
        var reader = Start("DbtRun", LockMode.Shared, 30);
        Assert.True(await reader.UntilAsync("HELD"), reader.Output);
        Assert.Contains(reader.Lines, l => l.StartsWith("Took over", StringComparison.Ordinal) && l.Contains($"ExtractNormalization (process {killed.Process.Id}", StringComparison.Ordinal));
        Assert.DoesNotContain(reader.Lines, l => l.Contains($"process {alive.Process.Id}", StringComparison.Ordinal));
        Assert.Equal(new[] { alive.Process.Id, reader.Process.Id }.Order(), DeploymentLock.ReadHolders(LockPath).Select(h => h.Pid).Order());

        // Both readers die; a writer takes the lock over at once and names them.
        await ChildProcess.KillAsync(alive.Process);
        await ChildProcess.KillAsync(reader.Process);
        var restore = Start("RestoreSetup", LockMode.Exclusive, 10);
        Assert.True(await restore.UntilAsync("HELD"), restore.Output);
        Assert.Contains(restore.Lines, l => l.StartsWith("Took over", StringComparison.Ordinal) && l.Contains($"ExportSetup (process {alive.Process.Id}", StringComparison.Ordinal));
        Assert.Contains(restore.Lines, l => l.StartsWith("Took over", StringComparison.Ordinal) && l.Contains($"DbtRun (process {reader.Process.Id}", StringComparison.Ordinal));
        Assert.Equal([restore.Process.Id], DeploymentLock.ReadHolders(LockPath).Select(h => h.Pid));
        await restore.ReleaseAsync();
    }

    private Holder Start(string target, LockMode mode, int timeoutSeconds)
    {
        var holder = new Holder(ChildProcess.Start(typeof(Program).Assembly, "lock", LockPath, target, mode.ToString(), timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        _holders.Add(holder);
        return holder;
    }

    public void Dispose()
    {
        foreach (var holder in _holders)
        {
            if (!holder.Process.HasExited) holder.Process.Kill(entireProcessTree: true);
            holder.Process.Dispose();
        }
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    /// <summary>A child holding (or waiting for) the lock; every line it prints is kept.</summary>
    private sealed class Holder
    {
        private readonly Task _reading;
        private readonly List<string> _lines = [];

        public Holder(Process process)
        {
            Process = process;
            _reading = Task.Run(async () =>
            {
                while (await process.StandardOutput.ReadLineAsync() is { } line)
                    lock (_lines) _lines.Add(line);
            });
        }

        public Process Process { get; }
        /// <summary>What it printed so far (a copy: the reading task keeps adding).</summary>
        public IReadOnlyList<string> Lines { get { lock (_lines) return _lines.ToList(); } }

        public string Output => $"output so far: {string.Join(" | ", Lines)}";

        public Task<bool> UntilAsync(string line) => UntilAsync(l => l == line);

        /// <summary>True once a printed line matches; false if the child ended or <see cref="Patience"/> passed first.</summary>
        public async Task<bool> UntilAsync(Func<string, bool> match)
        {
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < Patience)
            {
                if (Lines.Any(match)) return true;
                if (_reading.IsCompleted) return Lines.Any(match);
                await Task.Delay(20);
            }
            return false;
        }

        /// <summary>Lets go of the lock and waits for the child to say so and end.</summary>
        public async Task ReleaseAsync()
        {
            await Process.StandardInput.WriteLineAsync();
            await Process.StandardInput.FlushAsync();
            Assert.True(await UntilAsync("RELEASED"), Output);
            await Process.WaitForExitAsync();
        }
    }
}
