using System.Text.Json;
using AirbyteOps.IO;

namespace AirbyteOps.Images;

/// <summary>
/// Recipe fingerprints by a cheap key (the stat-only fingerprint: sources' sizes, modes and times, base image ids),
/// in artifacts/cache/images/fingerprints.json. A changed source changes the key, so its fingerprint is computed
/// again from the content; an unreadable or foreign file is treated as empty (the cache only saves time).
/// </summary>
internal sealed class FingerprintCache
{
    private readonly string _path;
    private readonly Dictionary<string, Entry> _entries;
    private bool _changed;

    private FingerprintCache(string path, Dictionary<string, Entry> entries)
    {
        _path = path;
        _entries = entries;
    }

    public static FingerprintCache Load(string path)
    {
        try
        {
            if (File.Exists(path) && JsonSerializer.Deserialize<Dictionary<string, Entry>>(File.ReadAllText(path)) is { } entries)
                return new FingerprintCache(path, entries);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
        }
        return new FingerprintCache(path, []);
    }

    public string? Get(string tag, string key) => _entries.TryGetValue(tag, out var entry) && entry.Key == key ? entry.Fingerprint : null;

    public void Set(string tag, string key, string fingerprint)
    {
        _entries[tag] = new Entry(key, fingerprint);
        _changed = true;
    }

    public void Save()
    {
        if (!_changed) return;
        try
        {
            AtomicFile.WriteAllText(_path, JsonSerializer.Serialize(_entries));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A read-only artifacts folder: the next run hashes the sources again.
        }
    }

    public sealed record Entry(string Key, string Fingerprint);
}
