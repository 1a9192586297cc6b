using AirbyteOps.Docker;
using AirbyteOps.Versions;

namespace AirbyteOps.Tests.Versions;

/// <summary>The deployment's version as every target reads it: --airbyte-version, else AIRBYTE_VERSION of the server container, else its image tag.</summary>
[Collection(EngineCollection.Name)]
public sealed class AirbyteVersionDetectionTests(EngineFixture fixture) : IAsyncLifetime
{
    private readonly List<string> _containers = [];
    private readonly string _taggedImage = $"{TestNames.Unique("server")}:0.27.3-alpha";

    private DockerEngine Engine => fixture.Engine;

    [Fact]
    public async Task AIRBYTE_VERSION_of_the_server_container_wins_over_its_image_tag_even_when_it_is_stopped()
    {
        var server = await CreateAsync(_taggedImage, new Dictionary<string, string> { ["AIRBYTE_VERSION"] = "0.12.0-alpha" });

        var detected = await AirbyteVersionDetection.DetectAsync(Engine, server, null);

        Assert.Equal("0.12.0-alpha", detected.Version);
        Assert.Equal($"Airbyte version: 0.12.0-alpha (AIRBYTE_VERSION of container '{server}').", detected.ToString());
    }

    [Fact]
    public async Task Without_AIRBYTE_VERSION_the_image_tag_tells_it()
    {
        var server = await CreateAsync(_taggedImage, new Dictionary<string, string>());

        var detected = await AirbyteVersionDetection.DetectAsync(Engine, server, null);

        Assert.Equal("0.27.3-alpha", detected.Version);
        Assert.Contains(_taggedImage, detected.From, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_latest_image_without_AIRBYTE_VERSION_or_no_container_is_unknown_and_says_why()
    {
        var server = await CreateAsync(TestImages.Busybox, new Dictionary<string, string>());

        var latest = await AirbyteVersionDetection.DetectAsync(Engine, server, null);
        var absent = await AirbyteVersionDetection.DetectAsync(Engine, TestNames.Unique("absent"), null);

        Assert.Null(latest.Version);
        Assert.Contains("has no AIRBYTE_VERSION and its image", latest.From, StringComparison.Ordinal);
        Assert.Null(absent.Version);
        Assert.StartsWith("Airbyte version: unknown (no container 'abops-test-", absent.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_parameter_overrides_what_the_container_says()
    {
        var server = await CreateAsync(_taggedImage, new Dictionary<string, string> { ["AIRBYTE_VERSION"] = "0.12.0-alpha" });

        var detected = await AirbyteVersionDetection.DetectAsync(Engine, server, "0.20.0-alpha");

        Assert.Equal(new DetectedVersion("0.20.0-alpha", "--airbyte-version"), detected);
    }

    private async Task<string> CreateAsync(string image, IReadOnlyDictionary<string, string> environment)
    {
        var name = TestNames.Unique("server");
        _containers.Add(name);
        await Engine.Containers.CreateAsync(new ContainerSpec(name, image) { Command = ["true"], Environment = environment });
        return name;
    }

    // A server image tagged with a version, as airbyte/server:0.27.3-alpha is (the local busybox under a test name).
    public Task InitializeAsync() => DockerCli.CheckAsync("tag", TestImages.Busybox, _taggedImage);

    public async Task DisposeAsync()
    {
        foreach (var container in _containers) await Engine.Containers.RemoveAsync(container);
        await DockerCli.CheckAsync("rmi", "--no-prune", _taggedImage); // removes the test tag only
    }
}
