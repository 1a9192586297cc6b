namespace AirbyteOps.Images;

/// <summary>
/// Which images to make present, from where; for local builds, the repository (recipe sources), a scratch folder and the
/// Debian mirror (null: apt's own). <see cref="Recipes"/>: the local recipes to choose from (null: <see cref="ImageCatalog.Local"/>).
/// </summary>
public sealed record ImagesOptions(ImageSource Source, IReadOnlyList<string> Images, string RepositoryRoot, string ScratchDirectory, string? DebianMirror)
{
    public IReadOnlyList<ImageRecipe>? Recipes { get; init; }
}
