using System.Diagnostics;
using AirbyteOps.Locks;

namespace AirbyteOps.Tests.Locks;

/// <summary>The lock primitive alone: no engine needed.</summary>
public sealed class DeploymentLockTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), TestNames.Unique("locks"));
    private readonly List<string> _log = [];

    private string LockPath => DeploymentLock.PathFor("unix:///var/run/docker.sock", "airbyte", _directory);

    [Fact]
    public async Task A_second_holder_waits_then_fails_naming_the_first()
    {
        using (var first = await DeploymentLock.AcquireAsync(LockPath, "'airbyte'", "RestoreSetup", TimeSpan.Zero, _log.Add))
        {
            var clock = Stopwatch.StartNew();
            var busy = await Assert.ThrowsAsync<DeploymentBusyException>(() =>
                DeploymentLock.AcquireAsync(LockPath, "'airbyte'", "ExportSetup", TimeSpan.FromSeconds(1), _log.Add));
            Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1), $"gave up after {clock.Elapsed}");
            Assert.Contains($"RestoreSetup (process {Environment.ProcessId}", busy.Message);
            Assert.Contains("since ", busy.Message);
            Assert.Contains("--lock-timeout", busy.Message);
            Assert.Contains(_log, l => l.Contains("waiting up to 1 s", StringComparison.Ordinal));
        }
        // Released: the next one takes it at once, and nobody is named as having died.
        using var again = await DeploymentLock.AcquireAsync(LockPath, "'airbyte'", "ExportSetup", TimeSpan.Zero, _log.Add);
        Assert.Equal("ExportSetup", DeploymentLock.ReadHolder(LockPath)!.Target);
        Assert.DoesNotContain(_log, l => l.Contains("Took over", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_lock_whose_holder_died_is_taken_over_and_the_dead_holder_named()
    {
        Directory.CreateDirectory(_directory);
        // Another process holds the lock (flock(1) takes the same kind of lock .NET does), and left its holder JSON.
        using var holder = Process.Start(new ProcessStartInfo("flock", [LockPath, "sleep", "60"]) { UseShellExecute = false })!;
        var dead = new LockHolder("RestoreSetup", holder.Id, "dotnet", Environment.MachineName, DateTimeOffset.UtcNow.AddMinutes(-3));
        File.WriteAllText($"{LockPath}.{holder.Id}-1.json", System.Text.Json.JsonSerializer.Serialize(dead));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await HeldAsync() && DateTime.UtcNow < deadline) { }
        await Assert.ThrowsAsync<DeploymentBusyException>(() => DeploymentLock.AcquireAsync(LockPath, "'airbyte'", "RestoreSetup", TimeSpan.FromMilliseconds(500), _log.Add));

        holder.Kill(entireProcessTree: true); // flock(1) runs sleep with the locked descriptor: both must die
        await holder.WaitForExitAsync();
        using var taken = await DeploymentLock.AcquireAsync(LockPath, "'airbyte'", "RestoreSetup", TimeSpan.FromSeconds(5), _log.Add);
        Assert.Contains(_log, l => l.StartsWith("Took over the lock", StringComparison.Ordinal) && l.Contains($"process {holder.Id}", StringComparison.Ordinal));
        Assert.Equal(Environment.ProcessId, DeploymentLock.ReadHolder(LockPath)!.Pid);
    }

    /// <summary>
    /// The holder file is written without the serializer (its first use is slow) but is exactly what the serializer writes,
    /// so it reads back whole, and older and newer versions of the tool read each other's files.
    /// </summary>
    [Theory]
    [InlineData(LockMode.Exclusive, "RestoreSetup")]
    [InlineData(LockMode.Shared, "Export \"quoted\" \u00e9")]
    public void The_holder_file_is_the_serializers_text_and_reads_back_as_the_holder(LockMode mode, string target)
    {
        var holder = LockHolder.Me(target, mode) with { Since = new DateTimeOffset(2026, 12, 3, 4, 5, 6, TimeSpan.Zero).AddTicks(1234567) };

        var text = holder.ToJson();

        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(holder), text);
        Assert.Equal(holder, System.Text.Json.JsonSerializer.Deserialize<LockHolder>(text));
        Assert.Equal(Environment.ProcessId, holder.Pid);
    }

    [Fact]
    public void Deployments_on_other_projects_or_engines_have_other_locks()
    {
        var paths = new[]
        {
            DeploymentLock.PathFor("unix:///var/run/docker.sock", "airbyte"),
            DeploymentLock.PathFor("unix:///var/run/docker.sock", "other"),
            DeploymentLock.PathFor("tcp://10.0.0.2:2375", "airbyte"),
        };
        Assert.Equal(3, paths.Distinct().Count());
        Assert.Equal(paths[0], DeploymentLock.PathFor("unix:///var/run/docker.sock", "airbyte"));
    }

    private async Task<bool> HeldAsync()
    {
        await Task.Delay(100);
        try
        {
            using var probe = new FileStream(LockPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }
}
