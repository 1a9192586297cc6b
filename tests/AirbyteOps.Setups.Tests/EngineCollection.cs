namespace AirbyteOps.Setups.Tests;

/// <summary>The tests that use the real engine share one <see cref="EngineFixture"/> (xunit needs the definition in this assembly).</summary>
[CollectionDefinition(Name)]
public sealed class EngineCollection : ICollectionFixture<EngineFixture>
{
    public const string Name = "setups-engine";
}
