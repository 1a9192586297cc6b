using AirbyteOps.Docker;

namespace AirbyteOps.Faults.Tests.Support;

/// <summary>The real Docker engine and the local images; says how to get them rather than pulling anything.</summary>
public sealed class EngineFixture : IAsyncLifetime
{
    public DockerEngine Engine { get; } = DockerEngine.Connect(DockerEngine.DefaultSocket);

    public async Task InitializeAsync()
    {
        if (!await Engine.PingAsync(TimeSpan.FromSeconds(5)))
            throw new InvalidOperationException($"No Docker engine answers at {Engine.Endpoint}: run ./build.sh EnsureDocker.");
        if (await Engine.Images.FindAsync(Names.Busybox) is null)
            throw new InvalidOperationException($"Local image {Names.Busybox} is missing: run ./build.sh Images.");
    }

    public Task DisposeAsync()
    {
        Engine.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>One collection: the fault tests run one after another, so they never compete for the shared 2 cores mid-fault.</summary>
[CollectionDefinition(Name)]
public sealed class EngineCollection : ICollectionFixture<EngineFixture>
{
    public const string Name = "faults-engine";
}
