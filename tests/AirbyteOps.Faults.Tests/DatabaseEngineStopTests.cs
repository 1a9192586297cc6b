using AirbyteOps.Docker;
using AirbyteOps.Faults.Tests.Support;
using AirbyteOps.Setups;

namespace AirbyteOps.Faults.Tests;

/// <summary>
/// Issue 11: the engine goes away while ExportSetup's pg_dump streams the database (of the snapshot exported while the
/// writers were paused; they run again by then, and the snapshot's psql session is cut with the rest). The export fails
/// in one line, leaves nothing that looks like a setup, and every container ends as it was found (the running server
/// running, the stopped scheduler stopped, nothing paused) once the engine is back.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class DatabaseEngineStopTests(EngineFixture fixture)
{
    private readonly List<string> _log = [];

    [Fact]
    public async Task Engine_gone_during_the_dump_leaves_no_setup_that_looks_complete_and_every_container_in_its_prior_state()
    {
        await using var d = await ConfigTree.DeployAsync(fixture.Engine, running: true, "first");
        await using var db = await TestDatabase.CreateAsync(d, schedulerRunning: false);
        await db.InsertSyncJobAsync("c1", """{"sync": {"password": "faults-db-secret-9913"}}""", """{"sync": {"state": {"cursor": 1}}}""");
        var live = await d.ListAsync(includeWorkArea: true);

        // The snapshot session starts (an exec, which also asks the version) before the writers are paused, and the
        // configuration is read (an archive GET) while they are; they are unpaused, then pg_dump starts (the first exec after
        // the archive read): the engine goes away while pg_dump's output is on its way.
        var archiveSeen = false;
        var execsAfter = 0;
        bool IsDumpStart(string request)
        {
            if (request.StartsWith("GET ", StringComparison.Ordinal) && request.Contains("/archive", StringComparison.Ordinal)) archiveSeen = true;
            return archiveSeen && request.StartsWith("POST ", StringComparison.Ordinal) && request.Contains("/exec/", StringComparison.Ordinal) &&
                   request.EndsWith("/start", StringComparison.Ordinal) && ++execsAfter == 1;
        }
        await using var proxy = EngineStopStandIn.Start();
        var cut = proxy.CutWhileResponding(IsDumpStart, afterBytes: 400);
        // The engine comes back right after the cut (a restarted dockerd); the export must then put the writers back.
        var back = cut.ContinueWith(_ => proxy.Restore(), TaskScheduler.Default);
        using (var engine = DockerEngine.Connect(proxy.DockerHost))
        {
            // The engine path: the proxy tells the dump's start from the configuration's archive read before it.
            var options = d.Export() with { DatabaseContainer = db.Container, SchedulerContainer = db.Scheduler, VolumeAccess = AirbyteOps.Docker.Host.VolumeAccess.Engine };
            var error = await Assert.ThrowsAsync<DockerOpsException>(() => new ExportSetupOperation(engine).RunAsync(options, _log.Add));
            Assert.True(cut.IsCompleted, "the engine was not cut during pg_dump: " + string.Join(", ", proxy.Requests));
            OneLine.Assert(error, "does not answer", proxy.DockerHost);
        }
        await back;

        Assert.Equal("running", await db.StateAsync(d.Server));
        Assert.Equal("created", await db.StateAsync(db.Scheduler)); // never started: left alone
        Assert.Equal("running", await db.StateAsync(db.Container));
        Assert.Contains(_log, l => l.StartsWith($"Writers unpaused ({d.Server})", StringComparison.Ordinal));
        Assert.False(Directory.Exists(d.Setups) && Directory.EnumerateFileSystemEntries(d.Setups).Any());
        Assert.Equal(live, await d.ListAsync(includeWorkArea: true));

        // The next run completes.
        var next = await new ExportSetupOperation(d.Engine).RunAsync(d.Export() with { DatabaseContainer = db.Container, SchedulerContainer = db.Scheduler }, _log.Add);
        Assert.Equal(1, next.Manifest.Database!.Rows["public.jobs"]);
    }
}
