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
    /// Names as <see cref="ReadAsync"/> gives them. Each with the file's identity once read (<see cref="FileStamp"/>), so that a
    /// later user of the checksum can tell the file was not changed since, whatever its size.
    /// </summary>
    public async Task<Dictionary<string, FileHash>> HashFilesAsync(Func<string, bool> include, CancellationToken ct, Progress.ProgressReporter? progress = null)
    {
        var files = new List<string>();
        Collect(new DirectoryInfo(root), "");
        var hashed = new FileHash[files.Count];
        await Hashing.ForEachFileAsync(Enumerable.Range(0, files.Count), (i, token) =>
        {
            var started = DateTime.UtcNow;
            using var content = HostFile.OpenRead(Path.Combine(root, files[i]), FileShare.Read);
            var before = content is HostFile opened && opened.Stat() is { ReportsStamp: true } stat ? FileStamp.Of(stat) : (FileStamp?)null;
            var (sha, size) = Hashing.Copy(content, null, token, progress);
            // Stamped before and after the read: a file written meanwhile has no stamp (its checksum is not trusted later), nor
            // has one changed too shortly before the read for a later change to be told apart (FileStamp.SettledBefore).
            var after = content is HostFile read ? FileStamp.Of(read.Stat()) : (FileStamp?)null;
            hashed[i] = new FileHash(sha, size, before == after && after?.SettledBefore(started) == true ? after : null);
        }, ct).ConfigureAwait(false);
        var result = new Dictionary<string, FileHash>(files.Count, StringComparer.Ordinal);
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

/// <summary>A file's checksum and size as <see cref="FolderTreeReader.HashFilesAsync"/> read it, and its identity then (null: not known here).</summary>
public readonly record struct FileHash(string Sha256, long Size, FileStamp? Stamp);

/// <summary>
/// What changes whenever a file's bytes do: its inode (a file replaced by a rename), size, modification time and change time
/// (which, unlike the modification time, no one can set back). Two equal stamps of one path: the same bytes, as far as the
/// file system can tell.
/// </summary>
public readonly record struct FileStamp(ulong Device, ulong Inode, long Size, long MtimeSeconds, uint MtimeNanoseconds, long CtimeSeconds, uint CtimeNanoseconds)
{
    public static FileStamp Of(AirbyteOps.Docker.Host.UnixStat stat) =>
        new(stat.Device, stat.Inode, stat.Size, stat.MtimeSeconds, stat.MtimeNanoseconds, stat.CtimeSeconds, stat.CtimeNanoseconds);

    /// <summary>
    /// True when the file's last change is far enough before <paramref name="readStartedUtc"/> (a read of it that began then)
    /// that any change from then on gives it a later change time, so an equal stamp later means the bytes that read saw. The
    /// kernel stamps changes from a clock that moves in ticks of a few milliseconds: a change in the same tick as the stamp
    /// could leave the stamp as it was (git calls such entries racy). Margin: 100 ms where the file system keeps sub-second
    /// times; 2 s where it keeps whole seconds (the change time's nanoseconds 0). Clocks set back by more than the margin meanwhile
    /// are not allowed for.
    /// </summary>
    public bool SettledBefore(DateTime readStartedUtc)
    {
        var margin = CtimeNanoseconds == 0 ? TimeSpan.FromSeconds(2) : TimeSpan.FromMilliseconds(100);
        var latest = readStartedUtc - margin - DateTime.UnixEpoch;
        // Compared in whole seconds first: a change time far outside DateTime's range does not throw.
        var latestSeconds = latest.Ticks / TimeSpan.TicksPerSecond;
        if (CtimeSeconds != latestSeconds) return CtimeSeconds < latestSeconds;
        return CtimeNanoseconds / 100 < latest.Ticks % TimeSpan.TicksPerSecond;
    }

    /// <summary>The stamp of the file at <paramref name="path"/> now (a link not followed); null when it cannot be read.</summary>
    public static FileStamp? Now(string path)
    {
        try
        {
            return Of(AirbyteOps.Docker.Host.UnixFiles.LStat(path));
        }
        catch (IOException)
        {
            return null;
        }
    }
}
