namespace AirbyteOps.Images;

/// <summary>Which images to make present, from where; for local builds, the repository (recipe sources), a scratch folder and the Debian mirror (null: apt's own).</summary>
public sealed record ImagesOptions(ImageSource Source, IReadOnlyList<string> Images, string RepositoryRoot, string ScratchDirectory, string? DebianMirror);
