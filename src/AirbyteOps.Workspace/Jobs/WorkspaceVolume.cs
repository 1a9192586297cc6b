using AirbyteOps.Docker;
using AirbyteOps.Progress;

namespace AirbyteOps.Workspace.Jobs;

/// <summary>
/// Opens the workspace volume read-only through the shared Docker helper (a created, never-started container),
/// so it can be read whether or not the Airbyte server runs, and without running a shell anywhere.
/// </summary>
public static class WorkspaceVolume
{

    public static async Task<MountedVolume> OpenAsync(DockerEngine engine, string volume, string helperImage, CancellationToken ct = default)
    {
        if (await engine.Volumes.FindAsync(volume, ct).ConfigureAwait(false) is null)
            throw new DockerOpsException($"Workspace volume '{volume}' does not exist: start Airbyte and run a sync first (./build.sh ComposeUp Sync), or pass --workspace-volume with the right name.");
        return await engine.Volumes.OpenAsync(volume, helperImage, readOnly: true, ct).ConfigureAwait(false);
    }

    /// <summary>The content of one regular file of the volume, or null when it is not there; <paramref name="progress"/> counts the bytes as they come.</summary>
    public static async Task<byte[]?> ReadFileAsync(MountedVolume mounted, string relative, CancellationToken ct = default, ProgressReporter? progress = null)
    {
        if (await mounted.StatAsync(relative, ct).ConfigureAwait(false) is null) return null;
        var stream = await mounted.CopyOutAsync(relative, ct).ConfigureAwait(false);
        await using var tar = progress is null ? stream : new ProgressStream(stream, progress);
        return await TarTree.ReadFileAsync(tar, $"volume '{mounted.Volume}'", ct).ConfigureAwait(false);
    }
}
