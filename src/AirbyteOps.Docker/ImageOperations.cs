using Docker.DotNet;
using Docker.DotNet.Models;

namespace AirbyteOps.Docker;

/// <summary>Images: whether one is present, build one from a context, import a root filesystem, pull one when asked to.</summary>
public sealed class ImageOperations
{
    private readonly DockerEngine _engine;
    internal ImageOperations(DockerEngine engine) => _engine = engine;

    /// <summary>The image with this reference, or null. Looks only at local images.</summary>
    public async Task<ImageInspectResponse?> FindAsync(string reference, CancellationToken ct = default)
    {
        try
        {
            return await _engine.Client.Images.InspectImageAsync(reference, ct).ConfigureAwait(false);
        }
        catch (DockerImageNotFoundException)
        {
            return null;
        }
        catch (DockerApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (Exception ex) when (ex is not DockerOpsException)
        {
            return await _engine.GuardAsync<ImageInspectResponse?>($"image '{reference}'", () => throw ex).ConfigureAwait(false);
        }
    }

    /// <summary>Builds an image from a tar stream of a build context. The build never pulls: base images must be local.</summary>
    public async Task BuildAsync(Stream contextTar, string tag, IReadOnlyDictionary<string, string> labels, Action<string>? onLine = null, CancellationToken ct = default)
    {
        string? error = null;
        var progress = new Progress<JSONMessage>(m =>
        {
            if (m.Error is not null) error = m.Error.Message ?? "unknown error";
            else if (!string.IsNullOrWhiteSpace(m.Stream)) onLine?.Invoke(m.Stream.TrimEnd('\n'));
        });
        await _engine.GuardAsync($"building image '{tag}'", () => _engine.Client.Images.BuildImageFromDockerfileAsync(
            new ImageBuildParameters
            {
                Tags = [tag],
                Labels = new Dictionary<string, string>(labels),
                Remove = true,
                ForceRemove = true,
                Pull = null,
            }, contextTar, null, null, progress, ct)).ConfigureAwait(false);
        if (error is null && await FindAsync(tag, ct).ConfigureAwait(false) is null) error = "the engine reported no image";
        if (error is not null) throw new DockerOpsException($"Building image '{tag}' failed: {Readiness.FirstLine(error)}");
    }

    /// <summary>Imports a root filesystem (a tar stream) as an image, like <c>docker import</c>, with Dockerfile-style changes.</summary>
    public async Task ImportAsync(Stream rootfsTar, string reference, IEnumerable<string> changes, CancellationToken ct = default)
    {
        var (repo, tag) = SplitReference(reference);
        string? error = null;
        var progress = new Progress<JSONMessage>(m =>
        {
            if (m.Error is not null) error = m.Error.Message ?? "unknown error";
        });
        // fromSrc "-" means: the image is the request body. Nothing is fetched from a registry.
        await _engine.GuardAsync($"importing image '{reference}'", () => _engine.Client.Images.CreateImageAsync(
            new ImagesCreateParameters { FromSrc = "-", Repo = repo, Tag = tag, Changes = changes.ToList() },
            rootfsTar, null, progress, ct)).ConfigureAwait(false);
        if (error is null && await FindAsync(reference, ct).ConfigureAwait(false) is null) error = "the engine reported no image";
        if (error is not null) throw new DockerOpsException($"Importing image '{reference}' failed: {Readiness.FirstLine(error)}");
    }

    /// <summary>Pulls an image from its registry (like <c>docker pull</c>); only where a caller chose to pull. Errors name the image.</summary>
    public async Task PullAsync(string reference, CancellationToken ct = default)
    {
        var (repo, tag) = SplitReference(reference);
        string? error = null;
        var progress = new Progress<JSONMessage>(m =>
        {
            if (m.Error is not null) error = m.Error.Message ?? "unknown error";
        });
        await _engine.GuardAsync($"pulling image '{reference}'", () => _engine.Client.Images.CreateImageAsync(
            new ImagesCreateParameters { FromImage = repo, Tag = tag }, null, progress, ct)).ConfigureAwait(false);
        if (error is null && await FindAsync(reference, ct).ConfigureAwait(false) is null) error = "the engine reported no image";
        if (error is not null) throw new DockerOpsException($"Pulling image '{reference}' failed: {Readiness.FirstLine(error)}");
    }

    public Task RemoveAsync(string reference, CancellationToken ct = default) =>
        _engine.GuardAsync($"removing image '{reference}'", () => _engine.Client.Images.DeleteImageAsync(reference, new ImageDeleteParameters { Force = true }, ct));

    public static (string Repository, string Tag) SplitReference(string reference)
    {
        var slash = reference.LastIndexOf('/');
        var colon = reference.LastIndexOf(':');
        return colon > slash ? (reference[..colon], reference[(colon + 1)..]) : (reference, "latest");
    }
}
