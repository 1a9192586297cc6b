using AirbyteOps.Docker;

namespace AirbyteOps.Setups.Tests;

/// <summary>The real Docker engine and the local busybox image; says how to get them rather than pulling anything.</summary>
public sealed class EngineFixture : IAsyncLifetime
{
    public DockerEngine Engine { get; } = DockerEngine.Connect();

    public async Task InitializeAsync()
    {
        if (!await Engine.PingAsync(TimeSpan.FromSeconds(5)))
            throw new InvalidOperationException($"No Docker engine answers at {Engine.Endpoint}: run ./build.sh EnsureDocker.");
        if (await Engine.Images.FindAsync(TestDeployment.Busybox) is null)
            throw new InvalidOperationException($"Local image {TestDeployment.Busybox} is missing: run ./build.sh Images.");
    }

    public Task DisposeAsync()
    {
        Engine.Dispose();
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class EngineCollection : ICollectionFixture<EngineFixture>
{
    public const string Name = "setups-engine";
}
