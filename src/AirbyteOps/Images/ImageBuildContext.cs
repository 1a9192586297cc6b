using AirbyteOps.Docker;

namespace AirbyteOps.Images;

/// <summary>What image recipes need: the engine, the repository (for recipe sources), a scratch folder, the Debian mirror.</summary>
public sealed record ImageBuildContext(DockerEngine Engine, string RepositoryRoot, string ScratchDirectory, string DebianMirror);
