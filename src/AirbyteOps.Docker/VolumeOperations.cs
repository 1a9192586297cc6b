using Docker.DotNet;
using Docker.DotNet.Models;

namespace AirbyteOps.Docker;

/// <summary>Named volumes: find, create, remove, list, and open one for copying without running anything in it.</summary>
public sealed class VolumeOperations
{
    private readonly DockerEngine _engine;
    internal VolumeOperations(DockerEngine engine) => _engine = engine;

    public async Task<VolumeResponse?> FindAsync(string name, CancellationToken ct = default)
    {
        try
        {
            return await _engine.Client.Volumes.InspectAsync(name, ct).ConfigureAwait(false);
        }
        catch (DockerApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (Exception ex) when (ex is not DockerOpsException)
        {
            return await _engine.GuardAsync<VolumeResponse?>($"volume '{name}'", () => throw ex).ConfigureAwait(false);
        }
    }

    public async Task<IReadOnlyList<VolumeResponse>> ListAsync(IEnumerable<string>? labels = null, CancellationToken ct = default)
    {
        var filters = new Dictionary<string, IDictionary<string, bool>>();
        if (labels is not null)
        {
            var set = labels.ToDictionary(l => l, _ => true);
            if (set.Count > 0) filters["label"] = set;
        }
        var response = await _engine.GuardAsync("listing volumes", () =>
            _engine.Client.Volumes.ListAsync(new VolumesListParameters { Filters = filters }, ct)).ConfigureAwait(false);
        return response.Volumes?.ToList() ?? [];
    }

    public Task<VolumeResponse> CreateAsync(string name, IReadOnlyDictionary<string, string>? labels = null, CancellationToken ct = default) =>
        _engine.GuardAsync($"creating volume '{name}'", () => _engine.Client.Volumes.CreateAsync(new VolumesCreateParameters
        {
            Name = name,
            Labels = labels is null ? new Dictionary<string, string>() : new Dictionary<string, string>(labels),
        }, ct));

    /// <summary>Removes the volume; one that is already gone is not an error; one in use is (the message names it).</summary>
    public async Task RemoveAsync(string name, CancellationToken ct = default)
    {
        try
        {
            await _engine.Client.Volumes.RemoveAsync(name, false, ct).ConfigureAwait(false);
        }
        catch (DockerApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
        }
        catch (Exception ex) when (ex is not DockerOpsException)
        {
            await _engine.GuardAsync($"removing volume '{name}'", () => throw ex).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Opens a volume for copying in and out: a created, never-started container of <paramref name="helperImage"/>
    /// with the volume mounted at <see cref="MountedVolume.MountPath"/>. Nothing runs in it; disposing removes it. It carries its
    /// owner (<see cref="HelperOwner"/>), so one left by a killed process is removed by the next run that needs the volume.
    /// </summary>
    public async Task<MountedVolume> OpenAsync(string volume, string helperImage, bool readOnly = false, CancellationToken ct = default)
    {
        if (await FindAsync(volume, ct).ConfigureAwait(false) is null)
            throw new DockerOpsException($"Volume '{volume}' does not exist.");
        var name = $"airbyteops-volume-{SafeName(volume)}-{Guid.NewGuid():N}"[..Math.Min(63, 30 + SafeName(volume).Length)];
        var id = await _engine.Containers.CreateAsync(new ContainerSpec(name, helperImage)
        {
            Command = ["true"],
            Mounts = [new VolumeMount(volume, MountedVolume.MountPath, readOnly)],
            Labels = new Dictionary<string, string> { [Labels.Managed] = "true", [Labels.Role] = "volume-access", [Labels.Owner] = HelperOwner.Me.Label },
            NetworkMode = "none",
        }, ct).ConfigureAwait(false);
        return new MountedVolume(_engine, volume, id);
    }

    private static string SafeName(string s) => new(s.Select(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.' ? ch : '-').ToArray());
}

/// <summary>A volume reachable through the archive endpoint of a created-not-started container.</summary>
public sealed class MountedVolume : IAsyncDisposable
{
    public const string MountPath = "/volume";
    private readonly DockerEngine _engine;

    internal MountedVolume(DockerEngine engine, string volume, string containerId)
    {
        _engine = engine;
        Volume = volume;
        ContainerId = containerId;
    }

    public string Volume { get; }
    public string ContainerId { get; }

    /// <summary>The container path of a path relative to the volume's root.</summary>
    public static string PathOf(string relative) =>
        relative is "" or "." or "/" ? MountPath : $"{MountPath}/{relative.TrimStart('/')}";

    /// <summary>A tar stream of the path (relative to the volume's root); its entries are named after the last path component.</summary>
    public async Task<Stream> CopyOutAsync(string relative, CancellationToken ct = default)
    {
        var stream = await WithVolumeName(() => _engine.Containers.CopyOutAsync(ContainerId, PathOf(relative), ct)).ConfigureAwait(false);
        if (stream is EngineStream engineStream) engineStream.Subject = $"Copying '/{relative.TrimStart('/')}' out of volume '{Volume}'";
        return stream;
    }

    public Task CopyInAsync(string relativeDirectory, Stream tar, CancellationToken ct = default) =>
        WithVolumeName(() => _engine.Containers.CopyInAsync(ContainerId, PathOf(relativeDirectory), tar, ct));

    public Task<ContainerPathStatResponse?> StatAsync(string relative, CancellationToken ct = default) =>
        WithVolumeName(() => _engine.Containers.StatAsync(ContainerId, PathOf(relative), ct));

    /// <summary>A helper-container message in the user's terms: the volume's name for the container, paths from the volume's root.</summary>
    private string InVolumeTerms(string message) => message
        .Replace($"container '{ContainerId}'", $"volume '{Volume}'", StringComparison.Ordinal)
        .Replace($"'{MountPath}'", "'/'", StringComparison.Ordinal)
        .Replace($"'{MountPath}/", "'/", StringComparison.Ordinal);

    private async Task<T> WithVolumeName<T>(Func<Task<T>> call)
    {
        try { return await call().ConfigureAwait(false); }
        catch (DockerOpsException ex) { throw new DockerOpsException(InVolumeTerms(ex.Message), ex); }
    }

    private async Task WithVolumeName(Func<Task> call)
    {
        try { await call().ConfigureAwait(false); }
        catch (DockerOpsException ex) { throw new DockerOpsException(InVolumeTerms(ex.Message), ex); }
    }

    /// <summary>
    /// Removes the access container, best effort: disposal runs while an operation's own error unwinds (an engine that
    /// stopped mid-restore, say), and a failure here must not replace that error. The container was never started.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _engine.Containers.RemoveAsync(ContainerId, force: true).ConfigureAwait(false);
        }
        catch (DockerOpsException)
        {
        }
    }
}
