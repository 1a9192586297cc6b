using System.Text.Json;

namespace AirbyteOps.Setups.Export;

/// <summary>
/// Writes a tree read from the engine into a folder on this machine, modes included. In sidecar mode the connection
/// files are held in memory (they are small) and only ever reach the disk with their secrets replaced by placeholders,
/// so an interrupted export leaves no plaintext secret behind.
/// </summary>
internal sealed class SetupFolderWriter
{
    private readonly string _root;
    private readonly SecretsMode _mode;
    private readonly Dictionary<string, MemoryStream> _held = new(StringComparer.Ordinal);
    private readonly List<TreeEntry> _directories = [];
    private readonly List<TreeEntry> _hardLinks = [];

    public SetupFolderWriter(string root, SecretsMode mode)
    {
        _root = root;
        _mode = mode;
        System.IO.Directory.CreateDirectory(root);
    }

    private string Full(string path) => Path.Combine(_root, path);

    public Stream? OpenFile(TreeEntry entry)
    {
        if (_mode == SecretsMode.Sidecar && SecretVault.MayHoldSecrets(entry.Path))
        {
            var memory = new MemoryStream();
            _held[entry.Path] = memory;
            return memory;
        }
        var full = Full(entry.Path);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        return new FileStream(full, UnixModes.NewPrivateFile());
    }

    public void OnEntry(TreeEntry entry)
    {
        var full = Full(entry.Path);
        switch (entry.Kind)
        {
            case EntryKind.Directory:
                System.IO.Directory.CreateDirectory(full);
                _directories.Add(entry);
                break;
            case EntryKind.SymbolicLink:
                System.IO.Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                File.CreateSymbolicLink(full, entry.LinkTarget!);
                break;
            case EntryKind.HardLink:
                _hardLinks.Add(entry);
                break;
            case EntryKind.File when !_held.ContainsKey(entry.Path):
                UnixModes.Set(full, entry.Mode);
                break;
        }
    }

    /// <summary>
    /// Writes the held connection files (secrets out, in sidecar mode), hard links as copies, then directory modes
    /// (last, so a read-only directory does not block its own content). Returns the tree as stored and the secrets.
    /// </summary>
    public (IReadOnlyList<TreeEntry> Stored, IReadOnlyList<SecretReference> References, IReadOnlyDictionary<string, SecretFileValues> Values)
        Finish(IReadOnlyList<TreeEntry> live, IReadOnlySet<string> extraKeys)
    {
        var stored = live.ToList();
        var references = new List<SecretReference>();
        var values = new Dictionary<string, SecretFileValues>(StringComparer.Ordinal);
        foreach (var (path, memory) in _held.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var original = memory.ToArray();
            var keys = new HashSet<string>(extraKeys, StringComparer.Ordinal);
            keys.UnionWith(SpecKeysFor(original));
            var (bytes, refs, fileValues) = SecretVault.Extract(path, original, keys);
            var index = stored.FindIndex(e => e.Path == path);
            if (refs.Count > 0)
            {
                references.AddRange(refs);
                values[path] = fileValues;
                stored[index] = stored[index] with { Size = bytes.LongLength, Sha256 = SecretVault.Sha256Hex(bytes) };
            }
            var full = Full(path);
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllBytes(full, bytes);
            UnixModes.Set(full, stored[index].Mode);
        }
        foreach (var link in _hardLinks)
        {
            // Kept as a copy on disk; the manifest (and archive) keep the link.
            File.Copy(Full(link.LinkTarget!), Full(link.Path));
            UnixModes.Set(Full(link.Path), UnixModes.Get(Full(link.LinkTarget!), UnixModes.Private));
        }
        foreach (var directory in _directories.OrderByDescending(d => d.Path.Count(c => c == '/')))
            UnixModes.Set(Full(directory.Path), directory.Mode);
        return (stored, references, values);
    }

    /// <summary>Keys the connection's connector spec marks airbyte_secret, when the tree holds that spec.</summary>
    private IEnumerable<string> SpecKeysFor(byte[] connection)
    {
        try
        {
            using var doc = JsonDocument.Parse(connection);
            foreach (var (idKey, type) in new[] { ("sourceDefinitionId", "STANDARD_SOURCE_DEFINITION"), ("destinationDefinitionId", "STANDARD_DESTINATION_DEFINITION") })
            {
                if (!doc.RootElement.TryGetProperty(idKey, out var id) || id.ValueKind != JsonValueKind.String) continue;
                var definitionId = id.GetString()!;
                if (definitionId.Any(c => !(char.IsAsciiLetterOrDigit(c) || c == '-'))) continue;
                var definition = Full($"config/{type}/{definitionId}.json");
                if (File.Exists(definition)) return SecretScanner.SpecSecretKeys(File.ReadAllBytes(definition));
            }
        }
        catch (JsonException)
        {
            // Not JSON: the key rules still apply.
        }
        return [];
    }
}
