namespace AirbyteOps.Workspace.Normalization;

/// <summary>
/// Extracts a tar stream from the engine into a folder on this machine. Every entry is judged by the shared
/// <see cref="SafeTree"/> before it is written (no absolute names, no <c>..</c>, no links that escape, nothing under a
/// link, no devices or fifos). Keeps modes and modification times like <c>docker cp</c>.
/// </summary>
internal static class SafeTarExtractor
{
    private const UnixFileMode PrivateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// Extracts into <paramref name="destination"/>, dropping the archive's first path component (the copied folder's own name).
    /// Files <paramref name="isPrivate"/> picks (by their path inside the destination) are created 0600 and stay 0600,
    /// whatever mode the archive gives them: readable by nobody else, not even while they are written.
    /// </summary>
    public static async Task<int> ExtractAsync(Stream tar, string destination, string what, CancellationToken ct = default, Func<string, bool>? isPrivate = null)
    {
        var root = Path.GetFullPath(destination);
        Directory.CreateDirectory(root);
        var tree = new SafeTree(what);
        var directories = new List<(string Path, UnixFileMode Mode, DateTimeOffset Time)>();
        var files = 0;
        await TarTree.ReadAsync(tar, what, async (entry, body) =>
        {
            if (TarTree.StripFirst(SafeTree.NormalizeName(entry.Name, what)) is not { } stripped)
            {
                if (entry.Kind == EntryKind.Directory) directories.Add((root, entry.Mode, entry.Modified));
                return;
            }
            var relative = SafeTree.NormalizeName(stripped, what);
            var linkTarget = entry.Kind == EntryKind.HardLink ? TarTree.StripFirst(entry.LinkTarget ?? "") ?? "" : entry.LinkTarget;
            tree.Add(new TreeNode(relative, entry.Kind, linkTarget));
            var target = Path.Combine(root, relative);
            switch (entry.Kind)
            {
                case EntryKind.Directory:
                    Directory.CreateDirectory(target);
                    directories.Add((target, entry.Mode, entry.Modified));
                    break;
                case EntryKind.File:
                    Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                    var secret = isPrivate?.Invoke(relative) == true;
                    var fileOptions = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 81920, Options = FileOptions.Asynchronous };
                    if (secret && !OperatingSystem.IsWindows()) fileOptions.UnixCreateMode = PrivateMode;
                    await using (var output = new FileStream(target, fileOptions))
                    {
                        if (body is not null) await body.CopyToAsync(output, ct).ConfigureAwait(false);
                    }
                    if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(target, secret ? PrivateMode : entry.Mode);
                    File.SetLastWriteTimeUtc(target, entry.Modified.UtcDateTime);
                    files++;
                    break;
                case EntryKind.SymbolicLink:
                    Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                    File.CreateSymbolicLink(target, entry.LinkTarget!);
                    break;
                case EntryKind.HardLink:
                    File.Copy(Path.Combine(root, SafeTree.NormalizeName(linkTarget!, what)), target, overwrite: true);
                    files++;
                    break;
            }
        }, ct: ct).ConfigureAwait(false);
        // A link may have gone through a link that came after it; the caller discards the folder when this refuses.
        tree.Recheck();
        // Deepest first, after their content is written: a read-only folder must not stop its own extraction.
        foreach (var (path, mode, time) in directories.OrderByDescending(d => d.Path.Length))
        {
            // Windows has no Unix modes; build.cmd users get the files without them.
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, mode);
            Directory.SetLastWriteTimeUtc(path, time.UtcDateTime);
        }
        return files;
    }
}
