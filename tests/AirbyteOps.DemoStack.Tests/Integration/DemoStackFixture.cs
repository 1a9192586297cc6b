using AirbyteOps.DemoStack.Tests.Support;

namespace AirbyteOps.DemoStack.Tests.Integration;

/// <summary>One demo stack (with webapp and a destination Postgres) shared by the tests of a class.</summary>
public sealed class DemoStackFixture : IAsyncLifetime
{
    public ContainerStack Stack { get; private set; } = null!;

    public async Task InitializeAsync() => Stack = await ContainerStack.StartAsync(webapp: true, destination: true);

    public async Task DisposeAsync()
    {
        if (Stack is not null) await Stack.DisposeAsync();
    }
}
