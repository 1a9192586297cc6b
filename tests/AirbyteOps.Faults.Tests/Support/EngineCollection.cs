namespace AirbyteOps.Faults.Tests.Support;

/// <summary>One collection: the fault tests run one after another, so they never compete for the shared 2 cores mid-fault.</summary>
[CollectionDefinition(Name)]
public sealed class EngineCollection : ICollectionFixture<EngineFixture>
{
    public const string Name = "faults-engine";
}
