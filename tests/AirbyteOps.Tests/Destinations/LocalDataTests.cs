using AirbyteOps.Destinations;
using AirbyteOps.Docker;
using AirbyteOps.Images;

namespace AirbyteOps.Tests.Destinations;

/// <summary>
/// LocalData's container view: where a running container of this local engine already bind-mounts the folder, the engine's
/// stat proves it is this host's folder and no busybox container is started; where none does, busybox's find lists it. Both
/// answer the same entries under /local.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class LocalDataTests(EngineFixture fixture) : IAsyncLifetime
{
    private readonly string _local = Path.Combine(Path.GetTempPath(), TestNames.Unique("local"));
    private readonly string _holder = TestNames.Unique("holder");
    private readonly List<string> _log = [];

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(_local, "data", "nested"));
        File.WriteAllText(Path.Combine(_local, "data", "exchange_rate_raw.csv"), "date,EUR\n2021-01-01,1\n");
        File.WriteAllText(Path.Combine(_local, "data", "nested", "b.csv"), "x\n");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await fixture.Engine.Containers.RemoveAsync(_holder, force: true);
        Directory.Delete(_local, recursive: true);
    }

    private static readonly string[] Expected = ["/local", "/local/data", "/local/data/exchange_rate_raw.csv", "/local/data/nested", "/local/data/nested/b.csv"];

    [Fact]
    public async Task A_folder_a_running_container_already_mounts_is_shown_from_the_host_without_a_busybox_container()
    {
        await fixture.Engine.Containers.CreateAsync(new ContainerSpec(_holder, ImageCatalog.Busybox)
        {
            Command = ["sleep", "300"],
            Mounts = [new VolumeMount(_local, "/tmp/airbyte_local", ReadOnly: true)],
            NetworkMode = "none",
        });
        await fixture.Engine.Containers.StartAsync(_holder);

        var seen = await new LocalDataOperation(fixture.Engine).RunAsync(new LocalDataOptions(_local, ImageCatalog.Busybox), _log.Add);

        Assert.Equal(Expected, seen);
        var said = Assert.Single(_log, l => l.StartsWith("In a container", StringComparison.Ordinal));
        Assert.Contains($"container '{_holder}' mounts this very folder at /tmp/airbyte_local", said);
        Assert.Contains("no busybox container is started", said);
        Assert.DoesNotContain(_log, l => l.StartsWith("  /local", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_folder_no_running_container_mounts_is_listed_by_busybox_find_in_a_container()
    {
        // A stopped container that mounts it does not count: only a running one's view is asked.
        await fixture.Engine.Containers.CreateAsync(new ContainerSpec(_holder, ImageCatalog.Busybox)
        {
            Command = ["true"],
            Mounts = [new VolumeMount(_local, "/tmp/airbyte_local", ReadOnly: true)],
            NetworkMode = "none",
        });

        var seen = await new LocalDataOperation(fixture.Engine).RunAsync(new LocalDataOptions(_local, ImageCatalog.Busybox), _log.Add);

        Assert.Equal(Expected, seen.Order(StringComparer.Ordinal));
        Assert.Contains("In a container (busybox, the folder bind-mounted at /local):", _log);
        Assert.Contains("  /local/data/nested/b.csv", _log);
    }
}
