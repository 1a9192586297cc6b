using System.Collections.Concurrent;
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
    // Written by OpenFile, which the direct path's reader calls from several threads at once.
    private readonly ConcurrentDictionary<string, MemoryStream> _held = new(StringComparer.Ordinal);
    private readonly List<TreeEntry> _directories = [];
    private readonly List<TreeEntry> _hardLinks = [];
    // Folders known to exist under the root (created here): a file's folder is made once, not checked per file.
    private readonly ConcurrentDictionary<string, bool> _folders = new(StringComparer.Ordinal);

    public SetupFolderWriter(string root, SecretsMode mode)
    {
        _root = root;
        _mode = mode;
        System.IO.Directory.CreateDirectory(root);
    }

    private string Full(string path) => Path.Combine(_root, path);

    private void EnsureFolder(string full)
    {
        if (_folders.ContainsKey(full)) return;
        System.IO.Directory.CreateDirectory(full);
        _folders.TryAdd(full, true);
    }

    /// <summary>
    /// Where a file's content goes: held in memory (sidecar mode's connection files), else a new file of the folder, 0600 from
    /// its first byte and given its mode as it is closed (on its descriptor, on Linux: <see cref="HostFile"/>). Called one
    /// file at a time by the engine path's reader, several at once by the direct path's (safe from several threads).
    /// </summary>
    public Stream? OpenFile(TreeEntry entry)
    {
        if (_mode == SecretsMode.Sidecar && SecretVault.MayHoldSecrets(entry.Path))
        {
            var memory = new MemoryStream();
            _held[entry.Path] = memory;
            return memory;
        }
        var full = Full(entry.Path);
        EnsureFolder(Path.GetDirectoryName(full)!);
        return HostFile.Supported ? HostFile.CreateNew(full, entry.Mode) : new FileStream(full, UnixModes.NewPrivateFile());
    }

    public void OnEntry(TreeEntry entry)
    {
        var full = Full(entry.Path);
        switch (entry.Kind)
        {
            case EntryKind.Directory:
                EnsureFolder(full);
                _directories.Add(entry);
                break;
            case EntryKind.SymbolicLink:
                System.IO.Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                File.CreateSymbolicLink(full, entry.LinkTarget!);
                break;
            case EntryKind.HardLink:
                _hardLinks.Add(entry);
                break;
            case EntryKind.File when !_held.ContainsKey(entry.Path) && !HostFile.Supported:
                // On Linux the file's stream set its mode as it was closed (OpenFile).
                UnixModes.Set(full, entry.Mode);
                break;
        }
    }

    /// <summary>
    /// Writes the held connection files (secrets out, in sidecar mode), hard links as copies, then directory modes
    /// (last, so a read-only directory does not block its own content). Returns the tree as stored and the secrets.
    /// Secret fields: the key rules, <paramref name="extraKeys"/>, and every field the connection's connector spec marks
    /// airbyte_secret, from the definition in the tree when it carries its spec, and from <paramref name="specs"/>.
    /// </summary>
    public async Task<(IReadOnlyList<TreeEntry> Stored, IReadOnlyList<SecretReference> References, IReadOnlyDictionary<string, SecretFileValues> Values)>
        FinishAsync(IReadOnlyList<TreeEntry> live, IReadOnlySet<string> extraKeys, ConnectorSpecLookup? specs, CancellationToken ct)
    {
        var stored = live.ToList();
        var references = new List<SecretReference>();
        var values = new Dictionary<string, SecretFileValues>(StringComparer.Ordinal);
        var specKeys = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        foreach (var (path, memory) in _held.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var original = memory.ToArray();
            var keys = new HashSet<string>(extraKeys, StringComparer.Ordinal);
            keys.UnionWith(await SpecKeysForAsync(original, specs, specKeys, ct).ConfigureAwait(false));
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

    /// <summary>
    /// Keys the connection's connector spec marks airbyte_secret (at any depth, oneOf branches included): the spec the
    /// definition in the tree carries (later versions keep it there), and those <paramref name="specs"/> finds for the
    /// definition's image. Cached per definition.
    /// </summary>
    private async Task<IReadOnlySet<string>> SpecKeysForAsync(byte[] connection, ConnectorSpecLookup? specs, Dictionary<string, IReadOnlySet<string>> cache, CancellationToken ct)
    {
        if (ReferencedDefinition(connection) is not var (kind, type, definitionId)) return new HashSet<string>();
        if (cache.TryGetValue(definitionId, out var cached)) return cached;
        var keys = new HashSet<string>(StringComparer.Ordinal);
        string? repository = null, tag = null;
        var definition = Full($"config/{type}/{definitionId}.json");
        if (File.Exists(definition))
        {
            var bytes = await File.ReadAllBytesAsync(definition, ct).ConfigureAwait(false);
            keys.UnionWith(SecretScanner.SpecSecretKeys(bytes));
            (repository, tag) = DockerImage(bytes);
        }
        if (specs is not null)
            foreach (var spec in await specs(new ConnectorDefinition(kind, definitionId, repository, tag), ct).ConfigureAwait(false))
                keys.UnionWith(SecretScanner.SpecSecretKeys(spec));
        return cache[definitionId] = keys;
    }

    /// <summary>("source", "STANDARD_SOURCE_DEFINITION", id) for a source connection file, likewise for a destination; null when it names none.</summary>
    private static (string Kind, string Type, string Id)? ReferencedDefinition(byte[] connection)
    {
        try
        {
            using var doc = JsonDocument.Parse(connection);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return null;
            foreach (var (idKey, kind, type) in new[] { ("sourceDefinitionId", "source", "STANDARD_SOURCE_DEFINITION"), ("destinationDefinitionId", "destination", "STANDARD_DESTINATION_DEFINITION") })
            {
                if (!doc.RootElement.TryGetProperty(idKey, out var id) || id.ValueKind != JsonValueKind.String) continue;
                var definitionId = id.GetString()!;
                // Only an id can name a file here: nothing that could climb out of the tree.
                if (definitionId.Length == 0 || definitionId.Any(c => !(char.IsAsciiLetterOrDigit(c) || c == '-'))) continue;
                return (kind, type, definitionId);
            }
        }
        catch (JsonException)
        {
            // Not JSON: the key rules still apply.
        }
        return null;
    }

    private static (string? Repository, string? Tag) DockerImage(byte[] definition)
    {
        try
        {
            using var doc = JsonDocument.Parse(definition);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return (null, null);
            return (Text(doc.RootElement, "dockerRepository"), Text(doc.RootElement, "dockerImageTag"));
        }
        catch (JsonException)
        {
            return (null, null);
        }

        static string? Text(JsonElement o, string name) => o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
    }
}
