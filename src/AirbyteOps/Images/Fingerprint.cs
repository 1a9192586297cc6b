using System.Security.Cryptography;
using System.Text;

namespace AirbyteOps.Images;

/// <summary>
/// A SHA-256 over recipe inputs: strings, and folders (relative paths, modes and contents; bin/ and obj/ skipped).
/// A <see cref="StatOnly"/> fingerprint hashes each file's size and modification time instead of its content: the
/// cheap key under which the real fingerprint is cached (artifacts/cache/images), so a no-op check reads no sources.
/// </summary>
public sealed class Fingerprint(bool statOnly = false)
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public bool StatOnly { get; } = statOnly;

    public Fingerprint Add(string text)
    {
        _hash.AppendData(Encoding.UTF8.GetBytes(text));
        _hash.AppendData([0]);
        return this;
    }

    public Fingerprint AddFile(string path, string name)
    {
        Add(name);
        if (StatOnly)
        {
            var info = new FileInfo(path);
            return Add(info.Exists
                ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{(OperatingSystem.IsWindows() ? 0 : (int)info.UnixFileMode)} {info.Length} {info.LastWriteTimeUtc.Ticks}")
                : "missing");
        }
        if (!OperatingSystem.IsWindows()) Add(((int)File.GetUnixFileMode(path)).ToString(System.Globalization.CultureInfo.InvariantCulture));
        _hash.AppendData(File.ReadAllBytes(path));
        return this;
    }

    public Fingerprint AddFolder(string folder)
    {
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Select(f => (Full: f, Relative: Path.GetRelativePath(folder, f).Replace('\\', '/')))
            .Where(f => !f.Relative.Split('/').Any(part => part is "bin" or "obj"))
            .OrderBy(f => f.Relative, StringComparer.Ordinal);
        foreach (var (full, relative) in files) AddFile(full, relative);
        return this;
    }

    public string Value => Convert.ToHexString(_hash.GetHashAndReset()).ToLowerInvariant();
}
