namespace AirbyteOps.Setups.Trees;

/// <summary>
/// Reads a folder on this machine: a setup folder (setup.json + data/) or a plain copy of a /data tree
/// (what <c>docker cp airbyte-server:/data my-setup</c> made). Links are reported as links, never followed.
/// Owners are not read (unknown), so they are not compared.
/// </summary>
internal sealed class FolderTreeReader(string root) : ITreeReader
{
    public string Description => $"setup folder '{root}'";

    /// <summary>The folder on this machine.</summary>
    public string Root => root;

    /// <summary>
    /// SHA-256 and size of every regular file (links not followed) whose name <paramref name="include"/> accepts, several
    /// files at a time (<see cref="Hashing.FilesInFlight"/>, one bounded buffer each): the checksum pass over both cores.
    /// Names as <see cref="ReadAsync"/> gives them.
    /// </summary>
    public async Task<Dictionary<string, (string Sha256, long Size)>> HashFilesAsync(Func<string, bool> include, CancellationToken ct, Progress.ProgressReporter? progress = null)
    {
        var files = new List<string>();
        Collect(new DirectoryInfo(root), "");
        var hashed = new (string Sha256, long Size)[files.Count];
        await Hashing.ForEachFileAsync(Enumerable.Range(0, files.Count), (i, token) =>
        {
            using var content = HostFile.OpenRead(Path.Combine(root, files[i]), FileShare.Read);
            hashed[i] = Hashing.Copy(content, null, token, progress);
        }, ct).ConfigureAwait(false);
        var result = new Dictionary<string, (string, long)>(files.Count, StringComparer.Ordinal);
        for (var i = 0; i < files.Count; i++) result[files[i]] = hashed[i];
        return result;

        void Collect(DirectoryInfo directory, string relative)
        {
            foreach (var info in directory.EnumerateFileSystemInfos())
            {
                ct.ThrowIfCancellationRequested();
                var name = relative.Length == 0 ? info.Name : $"{relative}/{info.Name}";
                // A link's attributes say so (from the walk's own lstat): readlink(2) only for links.
                if (IsLink(info)) continue;
                if (info is DirectoryInfo child) Collect(child, name);
                else if (include(name)) files.Add(name);
            }
        }
    }

    private static bool IsLink(FileSystemInfo info) => (info.Attributes & FileAttributes.ReparsePoint) != 0;

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
            if (IsLink(info) && info.LinkTarget is { } target)
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
                // Opened on its first read: a file whose checksum is already known (HashFilesAsync) is never opened again.
                await using var content = new OnFirstRead(info.FullName);
                await onEntry(new ArchiveEntry(name, EntryKind.File, mode, null, null, ((FileInfo)info).Length, null), content).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A read-only stream of a file, opened when first read.</summary>
    private sealed class OnFirstRead(string path) : Stream
    {
        private FileStream? _file;

        private FileStream File => _file ??= new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => File.Length;
        public override long Position { get => _file?.Position ?? 0; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => File.Read(buffer, offset, count);
        public override int Read(Span<byte> buffer) => File.Read(buffer);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => File.ReadAsync(buffer, offset, count, cancellationToken);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => File.ReadAsync(buffer, cancellationToken);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) _file?.Dispose();
            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            if (_file is not null) await _file.DisposeAsync().ConfigureAwait(false);
            await base.DisposeAsync().ConfigureAwait(false);
        }
    }
}
