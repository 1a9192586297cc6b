using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace AirbyteOps.Docker.Host;

/// <summary>What lstat tells of a path that .NET's FileSystemInfo does not: owner, inode, link count, device, change time.</summary>
public readonly record struct UnixStat(int Type, UnixFileMode Mode, int Uid, int Gid, long Size, ulong Inode, uint Links, ulong Device, long MtimeSeconds, uint MtimeNanoseconds,
    long CtimeSeconds = 0, uint CtimeNanoseconds = 0, uint Mask = 0)
{
    public const int RegularFile = 0x8000, Directory = 0x4000, SymbolicLink = 0xA000;

    /// <summary>statx's STATX_MTIME | STATX_CTIME | STATX_INO | STATX_SIZE: the fields a file's stamp is made of.</summary>
    private const uint StampFields = 0x40 | 0x80 | 0x100 | 0x200;

    /// <summary>True when the file system reported inode, size, modification and change time (statx's mask): only then can they vouch for a file's bytes.</summary>
    public bool ReportsStamp => (Mask & StampFields) == StampFields;
}

/// <summary>
/// The few Linux calls the direct volume path needs and .NET lacks: statx, of a path or an open descriptor (its struct has one layout on every
/// architecture, unlike struct stat), lchown, link, rename, geteuid. Every call reports failure as an IOException naming the path.
/// </summary>
public static class UnixFiles
{
    private const int AtFdCwd = -100, AtSymlinkNoFollow = 0x100, AtEmptyPath = 0x1000;
    private const uint StatxBasicStats = 0x7ff;

    public static UnixStat LStat(string path)
    {
        var buffer = new byte[256];
        if (Native.statx(AtFdCwd, path, AtSymlinkNoFollow, StatxBasicStats, buffer) != 0) throw Failure("lstat", path);
        return Parse(buffer);
    }

    /// <summary>The stat of an open descriptor (statx with AT_EMPTY_PATH): what was opened, whatever its path holds now.</summary>
    public static UnixStat FStat(int fd, string path)
    {
        var buffer = new byte[256];
        if (Native.statx(fd, "", AtEmptyPath, StatxBasicStats, buffer) != 0) throw Failure("fstat", path);
        return Parse(buffer);
    }

    private static UnixStat Parse(byte[] buffer)
    {
        var span = buffer.AsSpan();
        var mode = BinaryPrimitives.ReadUInt16LittleEndian(span[28..]);
        return new UnixStat(
            mode & 0xF000,
            (UnixFileMode)(mode & 0xFFF),
            (int)BinaryPrimitives.ReadUInt32LittleEndian(span[20..]),
            (int)BinaryPrimitives.ReadUInt32LittleEndian(span[24..]),
            (long)BinaryPrimitives.ReadUInt64LittleEndian(span[40..]),
            BinaryPrimitives.ReadUInt64LittleEndian(span[32..]),
            BinaryPrimitives.ReadUInt32LittleEndian(span[16..]),
            ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(span[136..]) << 32) | BinaryPrimitives.ReadUInt32LittleEndian(span[140..]),
            BinaryPrimitives.ReadInt64LittleEndian(span[112..]),
            BinaryPrimitives.ReadUInt32LittleEndian(span[120..]),
            BinaryPrimitives.ReadInt64LittleEndian(span[96..]),
            BinaryPrimitives.ReadUInt32LittleEndian(span[104..]),
            BinaryPrimitives.ReadUInt32LittleEndian(span));
    }

    /// <summary>True when something (a broken symbolic link included) is at the path.</summary>
    public static bool Exists(string path) => Native.statx(AtFdCwd, path, AtSymlinkNoFollow, StatxBasicStats, new byte[256]) == 0;

    public static void LChown(string path, int uid, int gid)
    {
        if (Native.lchown(path, uid, gid) != 0) throw Failure("chown", path);
    }

    public static void HardLink(string existing, string path)
    {
        if (Native.link(existing, path) != 0) throw Failure("link", path);
    }

    /// <summary>rename(2): a file, link or folder moved within one filesystem in one step.</summary>
    public static void Rename(string from, string to)
    {
        if (Native.rename(from, to) != 0) throw Failure("rename", from);
    }

    public static bool IsRoot => OperatingSystem.IsLinux() && Native.geteuid() == 0;

    private static IOException Failure(string call, string path) =>
        new($"{call} '{path}' failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");

    private static class Native
    {
        [DllImport("libc", SetLastError = true)]
        public static extern int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);

        [DllImport("libc", SetLastError = true)]
        public static extern int lchown([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int uid, int gid);

        [DllImport("libc", SetLastError = true)]
        public static extern int link([MarshalAs(UnmanagedType.LPUTF8Str)] string existing, [MarshalAs(UnmanagedType.LPUTF8Str)] string path);

        [DllImport("libc", SetLastError = true)]
        public static extern int rename([MarshalAs(UnmanagedType.LPUTF8Str)] string from, [MarshalAs(UnmanagedType.LPUTF8Str)] string to);

        [DllImport("libc")]
        public static extern uint geteuid();
    }
}
