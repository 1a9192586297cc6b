using System.Runtime.InteropServices;

namespace AirbyteOps.Setups.Trees;

/// <summary>
/// A file on this host opened with open(2) and read or written with read(2)/write(2) on its descriptor, for the data path's
/// per-file work (tens of thousands of small files): a FileStream costs per file an fstat, an fstatfs, two flock calls
/// (.NET's emulation of FileShare), an lseek and a posix_fadvise besides the open, read and close; here a file is its
/// open, its reads or writes, and its close. A new file's owner and permission bits are set on the open descriptor
/// (fchown, fchmod) instead of by path. Linux only (<see cref="Supported"/>); elsewhere callers use a FileStream.
/// </summary>
internal sealed class HostFile : Stream
{
    private int _fd;
    private readonly string _path;
    private readonly bool _write;
    private long _position;
    private readonly UnixFileMode? _modeOnClose;

    private HostFile(int fd, string path, bool write, UnixFileMode? modeOnClose = null)
    {
        _fd = fd;
        _path = path;
        _write = write;
        _modeOnClose = modeOnClose;
    }

    /// <summary>True where these calls exist (Linux); elsewhere callers open a FileStream.</summary>
    public static bool Supported { get; } = OperatingSystem.IsLinux();

    /// <summary>Bytes read or written so far.</summary>
    public long Transferred => _position;

    /// <summary>
    /// An existing file opened for one sequential read (following a final symbolic link, as a FileStream does). A missing file
    /// is a <see cref="FileNotFoundException"/> (a missing or non-folder parent a <see cref="DirectoryNotFoundException"/>), as from a FileStream.
    /// </summary>
    /// <param name="share">What the FileStream used elsewhere lets others do meanwhile (on Linux nothing is locked).</param>
    public static Stream OpenRead(string path, FileShare share = FileShare.ReadWrite) => Supported
        ? new HostFile(Open(path, ORdOnly | OCloExec, 0), path, write: false)
        : new FileStream(path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Share = share, BufferSize = 0, Options = FileOptions.SequentialScan });

    /// <summary>
    /// A file of a volume opened for one sequential read without following a symbolic link in its last component (O_NOFOLLOW:
    /// a link there fails with ELOOP, see <see cref="IsLink"/>) and without blocking (O_NONBLOCK: a fifo put in its place
    /// opens at once instead of waiting for a writer). <see cref="Stat"/> then says what was opened. Linux only.
    /// </summary>
    public static HostFile OpenReadNoFollow(string path) => new(Open(path, ORdOnly | OCloExec | ONoFollow | ONonBlock, 0), path, write: false);

    /// <summary>True for the error <see cref="OpenReadNoFollow"/> gives when the path's last component is a symbolic link.</summary>
    public static bool IsLink(IOException error) => error.HResult == ELoop;

    /// <summary>The open file's identity and kind (statx of the descriptor).</summary>
    public AirbyteOps.Docker.Host.UnixStat Stat()
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        return AirbyteOps.Docker.Host.UnixFiles.FStat(_fd, _path);
    }

    /// <summary>
    /// A new file (an existing name is an error, a symbolic link included: O_EXCL never follows one), 0600 from its first byte
    /// (the umask can only narrow that); <see cref="Finish"/> then gives it its owner and mode on the descriptor.
    /// </summary>
    /// <param name="modeOnClose">Permission bits set exactly (fchmod) just before the descriptor is closed, when given.</param>
    public static HostFile CreateNew(string path, UnixFileMode? modeOnClose = null) =>
        new(Open(path, OWrOnly | OCreat | OExcl | OCloExec, 0x180), path, write: true, modeOnClose);

    /// <summary>
    /// Owner (when given: fchown, which clears set-id bits, so it comes first), then the exact permission bits (fchmod: the
    /// umask plays no part), both on the open descriptor: the file is the one this stream wrote, whatever its path holds now.
    /// </summary>
    public void Finish(UnixFileMode mode, int? uid = null, int? gid = null)
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        if (uid is not null || gid is not null)
            if (Native.fchown(_fd, uid ?? -1, gid ?? -1) != 0) throw Failure("chown", _path);
        if (Native.fchmod(_fd, (uint)mode) != 0) throw Failure("chmod", _path);
    }

    private static int Open(string path, int flags, uint mode)
    {
        while (true)
        {
            var fd = Native.open(path, flags, mode);
            if (fd >= 0) return fd;
            var errno = Marshal.GetLastPInvokeError();
            if (errno == EIntr) continue;
            var message = $"open '{path}' failed: {Marshal.GetPInvokeErrorMessage(errno)}";
            throw errno switch
            {
                ENoEnt when Directory.Exists(Path.GetDirectoryName(path)) => new FileNotFoundException(message, path),
                ENoEnt or ENotDir => new DirectoryNotFoundException(message),
                _ => new IOException(message, errno),
            };
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        if (buffer.IsEmpty) return 0;
        while (true)
        {
            var read = Native.read(_fd, ref MemoryMarshal.GetReference(buffer), buffer.Length);
            if (read >= 0)
            {
                _position += read;
                return (int)read;
            }
            if (Marshal.GetLastPInvokeError() != EIntr) throw Failure("read", _path);
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        while (!buffer.IsEmpty)
        {
            var written = Native.write(_fd, ref MemoryMarshal.GetReference(buffer), buffer.Length);
            if (written < 0)
            {
                if (Marshal.GetLastPInvokeError() == EIntr) continue;
                throw Failure("write", _path);
            }
            _position += written;
            buffer = buffer[(int)written..];
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer, offset, count));
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer, offset, count);
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override bool CanRead => !_write;
    public override bool CanWrite => _write;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _position; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && _modeOnClose is { } mode && _fd >= 0)
        {
            try { Finish(mode); }
            catch
            {
                Native.close(Interlocked.Exchange(ref _fd, -1));
                throw;
            }
        }
        var fd = Interlocked.Exchange(ref _fd, -1);
        // close(2) releases the descriptor even when it reports an error (EINTR included): never retried. No fsync: the
        // project writes as a FileStream does; a failed close of a written file (a deferred write error) is still reported.
        if (fd >= 0 && Native.close(fd) != 0 && _write && disposing && Marshal.GetLastPInvokeError() != EIntr) throw Failure("close", _path);
        base.Dispose(disposing);
    }

    /// <summary>The failed call as an IOException whose HResult is the errno, as .NET's own file errors on Unix carry it (callers tell a full disk by it).</summary>
    private static IOException Failure(string call, string path)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new IOException($"{call} '{path}' failed: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
    }

    private const int ORdOnly = 0, OWrOnly = 1, OCreat = 0x40, OExcl = 0x80, ONonBlock = 0x800, ONoFollow = 0x20000, OCloExec = 0x80000;
    private const int ENoEnt = 2, EIntr = 4, ENotDir = 20, ELoop = 40;

    private static class Native
    {
        [DllImport("libc", SetLastError = true)]
        public static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mode);

        [DllImport("libc", SetLastError = true)]
        public static extern nint read(int fd, ref byte buffer, nint count);

        [DllImport("libc", SetLastError = true)]
        public static extern nint write(int fd, ref byte buffer, nint count);

        [DllImport("libc", SetLastError = true)]
        public static extern int fchown(int fd, int uid, int gid);

        [DllImport("libc", SetLastError = true)]
        public static extern int fchmod(int fd, uint mode);

        [DllImport("libc", SetLastError = true)]
        public static extern int close(int fd);
    }
}
