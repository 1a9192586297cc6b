namespace AirbyteOps.Setups.Trees;

/// <summary>
/// Reads a folder on this machine: a setup folder (setup.json + data/) or a plain copy of a /data tree
/// (what <c>docker cp airbyte-server:/data my-setup</c> made). Links are reported as links, never followed.
/// Owners are not read (unknown), so they are not compared.
/// </summary>
internal sealed class FolderTreeReader(string root) : ITreeReader
{
    public string Description => $"setup folder '{root}'";

    public Task ReadAsync(Func<ArchiveEntry, Stream?, Task> onEntry, CancellationToken ct = default) => WalkAsync("", onEntry, ct);

    private async Task WalkAsync(string relative, Func<ArchiveEntry, Stream?, Task> onEntry, CancellationToken ct)
    {
        var directory = new DirectoryInfo(relative.Length == 0 ? root : Path.Combine(root, relative));
        // Ordinal order so two reads of the same folder see the same sequence.
        foreach (var info in directory.EnumerateFileSystemInfos().OrderBy(i => i.Name, StringComparer.Ordinal))
        {
            ct.ThrowIfCancellationRequested();
            var name = relative.Length == 0 ? info.Name : $"{relative}/{info.Name}";
            var mode = info.UnixFileMode;
            if (info.LinkTarget is { } target)
            {
                // Linux reports links as 0777 (their own mode means nothing), as docker cp's tar does.
                await onEntry(new ArchiveEntry(name, EntryKind.SymbolicLink, (UnixFileMode)0x1FF, null, null, 0, target), null).ConfigureAwait(false);
            }
            else if (info is DirectoryInfo)
            {
                await onEntry(new ArchiveEntry(name, EntryKind.Directory, mode, null, null, 0, null), null).ConfigureAwait(false);
                await WalkAsync(name, onEntry, ct).ConfigureAwait(false);
            }
            else
            {
                await using var content = new FileStream(info.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
                await onEntry(new ArchiveEntry(name, EntryKind.File, mode, null, null, content.Length, null), content).ConfigureAwait(false);
            }
        }
    }
}
