namespace AirbyteOps.Workspace.Tests;

/// <summary>Tests against the real engine run one class at a time: the machine has two shared cores.</summary>
[CollectionDefinition(Name)]
public sealed class DockerCollection : ICollectionFixture<WorkspaceVolumeFixture>, ICollectionFixture<StandinFixture>
{
    public const string Name = "docker";
}
