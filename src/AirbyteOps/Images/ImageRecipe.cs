namespace AirbyteOps.Images;

/// <summary>
/// How to make one local image. The fingerprint is a hash of everything the image is made from; an image
/// already carrying the same fingerprint label is reused instead of rebuilt.
/// </summary>
public abstract class ImageRecipe
{
    protected ImageRecipe(string tag, IReadOnlyList<string> baseImages)
    {
        Tag = tag;
        BaseImages = baseImages;
    }

    public string Tag { get; }

    /// <summary>Local images this one is built FROM; they are made first, so a build never reaches for a registry.</summary>
    public IReadOnlyList<string> BaseImages { get; }

    public abstract string Describe { get; }

    public abstract Task<string> FingerprintAsync(ImageBuildContext context, CancellationToken ct);

    public abstract Task BuildAsync(ImageBuildContext context, string fingerprint, Action<string> log, CancellationToken ct);
}
