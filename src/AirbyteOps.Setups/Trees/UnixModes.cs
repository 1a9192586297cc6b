namespace AirbyteOps.Setups.Trees;

/// <summary>
/// File modes on this machine. On Windows there are none to keep: the manifest and archives still carry the tree's
/// modes (they come from the engine), only the setup folder's files do not show them.
/// </summary>
internal static class UnixModes
{
    public const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static void Set(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, mode);
    }

    public static UnixFileMode Get(string path, UnixFileMode fallback) =>
        OperatingSystem.IsWindows() ? fallback : File.GetUnixFileMode(path);

    /// <summary>Options for a new file that is private (0600) from its first byte, not only after a chmod.</summary>
    /// <param name="asynchronous">False for a file written by synchronous calls on a thread of its own (several files in flight): unbuffered.</param>
    public static FileStreamOptions NewPrivateFile(bool asynchronous = true)
    {
        var options = asynchronous
            ? new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Options = FileOptions.Asynchronous }
            : new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, BufferSize = 0 };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = Private;
        return options;
    }
}
