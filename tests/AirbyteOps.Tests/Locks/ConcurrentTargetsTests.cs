using System.Formats.Tar;
using System.Text;
using AirbyteOps.Build;
using AirbyteOps.Build.Parameters;
using AirbyteOps.Locks;
using AirbyteOps.Setups.Export;
using AirbyteOps.Trees;

namespace AirbyteOps.Tests.Locks;

/// <summary>
/// Issue 12: one operation per deployment at a time, through the targets themselves (BuildContext), against a real
/// test deployment: a second RestoreSetup waits or fails naming the holder, and the live configuration is exactly one
/// of the two setups; an ExportSetup started during a RestoreSetup waits and then reads the restored tree.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class ConcurrentTargetsTests(EngineFixture fixture)
{
    [Fact]
    public async Task Two_RestoreSetups_one_wins_the_other_fails_naming_it_and_an_export_during_a_restore_waits()
    {
        await using var d = await TestDeployment.CreateAsync(fixture.Engine);
        var project = TestNames.Unique("lock");
        var lockPath = DeploymentLock.PathFor(fixture.Engine.Endpoint.ToString(), project);
        try
        {
            var trees = new Dictionary<string, IReadOnlyList<AirbyteOps.Setups.Trees.TreeEntry>>();
            foreach (var name in new[] { "setup-a", "setup-b" })
            {
                await d.CopyInAsync(Tree(name));
                trees[name] = await d.ListAsync();
                await new ExportSetupOperation(d.Engine).RunAsync(d.Export(name), _ => { });
                await d.DeleteAsync("config");
            }
            await d.CopyInAsync(Tree("live-before"));
            Assert.NotEqual(trees["setup-a"], await d.ListAsync());

            // A holds the lock; B, not willing to wait, fails naming A; the live tree is A's setup, never a mix.
            var logA = new List<string>();
            var logB = new List<string>();
            using (var a = Context(d, project, "setup-a", 300, logA))
            using (var b = Context(d, project, "setup-b", 0, logB))
            {
                var restoreA = a.RestoreSetup();
                await UntilHeldAsync(lockPath, "RestoreSetup");
                var busy = await Assert.ThrowsAsync<DeploymentBusyException>(() => b.RestoreSetup());
                Assert.Contains($"RestoreSetup (process {Environment.ProcessId}", busy.Message);
                Assert.Contains("since ", busy.Message);
                await restoreA;
            }
            Assert.Equal(trees["setup-a"], await d.ListAsync(includeWorkArea: true));
            Assert.DoesNotContain(logB, l => l.StartsWith("Writing", StringComparison.Ordinal));

            // B restores while an export waits for it; the export then reads B's tree, not a half-swapped one.
            var logExport = new List<string>();
            using (var restore = Context(d, project, "setup-b", 300, []))
            using (var export = Context(d, project, "during", 300, logExport))
            {
                var restoring = restore.RestoreSetup();
                await UntilHeldAsync(lockPath, "RestoreSetup");
                await Task.WhenAll(restoring, export.ExportSetup());
            }
            Assert.Contains(logExport, l => l.Contains("is in use by RestoreSetup", StringComparison.Ordinal) && l.Contains("waiting up to 300 s", StringComparison.Ordinal));
            Assert.Equal(trees["setup-b"], await d.ListAsync(includeWorkArea: true));
            var exported = AirbyteOps.Setups.Manifest.SetupManifest.Parse(File.ReadAllBytes(Path.Combine(d.Setups, "during", "setup.json")), "test");
            Assert.Contains(exported.Entries, e => e.Path.Contains("setup-b", StringComparison.Ordinal));
            Assert.DoesNotContain(exported.Entries, e => e.Path.Contains("setup-a", StringComparison.Ordinal) || e.Path.Contains("live-before", StringComparison.Ordinal));
            Assert.Null(DeploymentLock.ReadHolder(lockPath));
        }
        finally
        {
            File.Delete(lockPath);
            foreach (var holder in DeploymentLock.HolderFiles(lockPath)) File.Delete(holder);
        }
    }

    private static BuildContext Context(TestDeployment d, string project, string setup, int lockTimeout, List<string> log) =>
        BuildContext.Create(RepositoryPaths.Root, ParameterReader.ParseArguments(
        [
            "--project", project, "--server-container", d.Server, "--data-volume", d.Volume, "--artifacts", d.Artifacts,
            "--setup", setup, "--lock-timeout", lockTimeout.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // The test deployment is a bare volume and server: no jobs database or scheduler of its own (never another
            // test's airbyte-db), and its made-up trees are not Airbyte configs (the lock is under test, not the schemas).
            "--db-container", "", "--scheduler-container", "", "--skip-config-check", "true",
        ]), line => { lock (log) log.Add(line); });

    private static async Task UntilHeldAsync(string lockPath, string target)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DeploymentLock.ReadHolder(lockPath)?.Target != target)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{target} never took the lock {lockPath}");
            await Task.Delay(20);
        }
    }

    /// <summary>A small config tree whose one file's name tells which tree it is.</summary>
    private static MemoryStream Tree(string name)
    {
        var memory = new MemoryStream();
        using (var writer = new TarWriter(memory, TarEntryFormat.Pax, leaveOpen: true))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "config/") { Mode = (UnixFileMode)0x1ED });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "config/STANDARD_WORKSPACE/") { Mode = (UnixFileMode)0x1ED });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, $"config/STANDARD_WORKSPACE/{name}.json")
            {
                Mode = (UnixFileMode)0x1A4, DataStream = new MemoryStream(Encoding.UTF8.GetBytes($"{{\"name\":\"{name}\"}}")),
            });
        }
        memory.Position = 0;
        return memory;
    }
}
