using AirbyteOps.Docker;

namespace AirbyteOps.TestSupport;

/// <summary>
/// The real Docker engine, and the local images the tests need. ./build.sh Test provisions both first;
/// run alone, the tests say how to get them rather than pulling anything. Each test assembly declares its own
/// xunit collection over this type (xunit only finds collection definitions in the test assembly itself).
/// </summary>
public sealed class EngineFixture : IAsyncLifetime
{
    public DockerEngine Engine { get; } = DockerEngine.Connect();

    public async Task InitializeAsync()
    {
        if (!await Engine.PingAsync(TimeSpan.FromSeconds(5)))
            throw new InvalidOperationException($"No Docker engine answers at {Engine.Endpoint}: run ./build.sh Test (it starts one) or ./build.sh EnsureDocker.");
        foreach (var image in TestImages.Required)
            if (await Engine.Images.FindAsync(image) is null)
                throw new InvalidOperationException($"Local image {image} is missing: run ./build.sh Images (./build.sh Test does it first).");
    }

    public Task DisposeAsync()
    {
        Engine.Dispose();
        return Task.CompletedTask;
    }
}
