using AirbyteOps.Docker;
using AirbyteOps.DemoStack.Tests.Support;

namespace AirbyteOps.DemoStack.Tests.Integration;

/// <summary>The seed image fills an empty data volume and leaves one that already holds files alone.</summary>
public sealed class SeedImageTests
{
    [Fact]
    public async Task Mounting_the_seed_image_fills_an_empty_volume_but_not_a_non_empty_one()
    {
        using var engine = DockerEngine.Connect();
        await ContainerStack.RequireImagesAsync(engine);
        var id = "abops-test-ds-" + Guid.NewGuid().ToString("N")[..8];
        var labels = new Dictionary<string, string> { [Labels.Managed] = "true" };
        string[] containers = [id + "-seed-empty", id + "-seed-full", id + "-marker"];
        try
        {
            await engine.Volumes.CreateAsync(id + "-empty", labels);
            await engine.Volumes.CreateAsync(id + "-full", labels);
            // A setup already in the volume: one marker file.
            await engine.Containers.CreateAsync(new ContainerSpec(containers[2], TestImages.Busybox) { Command = ["touch", "/v/marker"], Mounts = [new VolumeMount(id + "-full", "/v")], NetworkMode = "none", Labels = labels });
            await engine.Containers.StartAsync(containers[2]);
            Assert.Equal(0, await engine.Containers.WaitAsync(containers[2]));

            // Creating the containers is enough: Docker copies image content into an empty volume at mount time.
            await engine.Containers.CreateAsync(new ContainerSpec(containers[0], "airbyteops/airbyte-seed:0.7.1-alpha") { Mounts = [new VolumeMount(id + "-empty", "/app/seed")], NetworkMode = "none", Labels = labels });
            await engine.Containers.CreateAsync(new ContainerSpec(containers[1], "airbyteops/airbyte-seed:0.7.1-alpha") { Mounts = [new VolumeMount(id + "-full", "/app/seed")], NetworkMode = "none", Labels = labels });

            Assert.NotNull(await engine.Containers.StatAsync(containers[0], "/app/seed/config/STANDARD_WORKSPACE/5ae6b09b-fdec-41af-aaf7-7d94cfc33ef6.json"));
            Assert.Null(await engine.Containers.StatAsync(containers[1], "/app/seed/config"));
            Assert.NotNull(await engine.Containers.StatAsync(containers[1], "/app/seed/marker"));
        }
        finally
        {
            foreach (var container in containers) await engine.Containers.RemoveAsync(container, force: true);
            await engine.Volumes.RemoveAsync(id + "-empty");
            await engine.Volumes.RemoveAsync(id + "-full");
        }
    }
}
