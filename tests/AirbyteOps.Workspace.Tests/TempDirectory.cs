namespace AirbyteOps.Workspace.Tests;

/// <summary>A folder under /tmp that is deleted with its content when disposed.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory(string prefix = "abops-test-") =>
        Path = Directory.CreateDirectory(System.IO.Path.Combine(System.IO.Path.GetTempPath(), prefix + Guid.NewGuid().ToString("N")[..12])).FullName;

    public string Path { get; }

    public void Dispose()
    {
        if (!Directory.Exists(Path)) return;
        // Restore write permission first: extracted read-only folders would block deletion.
        foreach (var dir in Directory.EnumerateDirectories(Path, "*", SearchOption.AllDirectories))
            File.SetUnixFileMode(dir, (UnixFileMode)0b111_000_000);
        Directory.Delete(Path, recursive: true);
    }
}
