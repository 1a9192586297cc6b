using AirbyteOps.Docker.Host;

namespace AirbyteOps.Setups.Tests;

/// <summary>
/// The choice of data path: the volume's folder on this host only when it provably is the engine's folder of that volume.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class HostVolumeTests(EngineFixture fixture)
{
    [Fact]
    public async Task The_host_folder_is_used_only_when_the_engine_sees_the_same_folder_and_otherwise_the_reason_is_said()
    {
        await using var d = await TestDeployment.CreateAsync(fixture.Engine);
        Task<global::Docker.DotNet.Models.ContainerPathStatResponse?> EngineStat(CancellationToken ct) => d.Engine.Containers.StatAsync(d.Server, TestDeployment.ConfigRoot, ct);

        var (forced, forcedWhy) = await HostVolume.LocateAsync(d.Engine, d.Volume, VolumeAccess.Engine, EngineStat, default);
        Assert.Null(forced);
        Assert.Equal("--volume-access engine", forcedWhy);
        if (!ExportRestoreTests.DirectPathExpected(d.Engine, VolumeAccess.Auto)) return; // not root, or a remote engine: the engine path is the only one

        var (host, why) = await HostVolume.LocateAsync(d.Engine, d.Volume, VolumeAccess.Auto, EngineStat, default);
        Assert.NotNull(host);
        Assert.Equal((await d.Engine.Volumes.FindAsync(d.Volume))!.Mountpoint, host.Root);
        Assert.Contains(host.Root, why);
        // It is the engine's folder: a file put there is what the engine lists in the volume.
        File.WriteAllText(host.PathOf("written-here.json"), "{}");
        Assert.Contains(await d.ListAsync(), e => e.Path == "written-here.json" && e.Size == 2);

        // The engine's stat of the root differs by 100 ns (another folder of the same name, say in a VM): not used.
        var (shifted, shiftedWhy) = await HostVolume.LocateAsync(d.Engine, d.Volume, VolumeAccess.Auto, async ct =>
        {
            var stat = (await EngineStat(ct))!;
            stat.Mtime = stat.Mtime.AddTicks(1);
            return stat;
        }, default);
        Assert.Null(shifted);
        Assert.Contains("differs", shiftedWhy);
        var (unseen, unseenWhy) = await HostVolume.LocateAsync(d.Engine, d.Volume, VolumeAccess.Auto, _ => Task.FromResult<global::Docker.DotNet.Models.ContainerPathStatResponse?>(null), default);
        Assert.Null(unseen);
        Assert.Contains("differs", unseenWhy);
        var (missing, missingWhy) = await HostVolume.LocateAsync(d.Engine, d.Volume + "-absent", VolumeAccess.Auto, EngineStat, default);
        Assert.Null(missing);
        Assert.Contains("does not exist", missingWhy);
    }
}
