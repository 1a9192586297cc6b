using AirbyteOps.Docker;

namespace AirbyteOps.Images;

/// <summary>
/// What image recipes need: the engine, the repository (for recipe sources), a scratch folder, the Debian mirror.
/// <see cref="StatOnly"/>: the recipe is asked for its cheap cache key (sizes and times, no content read, no apt check).
/// </summary>
public sealed record ImageBuildContext(DockerEngine Engine, string RepositoryRoot, string ScratchDirectory, string DebianMirror, bool StatOnly = false)
{
    /// <summary>A fingerprint of the kind this context asks for.</summary>
    public Fingerprint NewFingerprint() => new(StatOnly);
}
