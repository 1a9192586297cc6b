using System.Text.Json;
using System.Text.Json.Nodes;

namespace AirbyteOps.StandIns.DemoStack.Config;

/// <summary>
/// Stand-in for Airbyte 0.7's DefaultConfigPersistence: one JSON file per config at
/// CONFIG_ROOT/config/&lt;TYPE&gt;/&lt;id&gt;.json. Nothing is cached, on purpose: the tutorial restores a setup by
/// copying files into the volume and expects the next request to see them.
/// </summary>
public sealed class ConfigRepository
{
    private static readonly JsonSerializerOptions WriteOptions = new() { WriteIndented = false };

    public ConfigRepository(string configRoot) => ConfigRoot = configRoot;

    /// <summary>CONFIG_ROOT (the data volume, /data in the containers).</summary>
    public string ConfigRoot { get; }

    public string TypeDirectory(string type) => Path.Combine(ConfigRoot, "config", type);

    public string FilePath(string type, Guid id) => Path.Combine(TypeDirectory(type), $"{id}.json");

    /// <summary>The config, or null when its file does not exist.</summary>
    public async Task<JsonObject?> GetAsync(string type, Guid id, CancellationToken ct = default)
    {
        var path = FilePath(type, id);
        if (!File.Exists(path)) return null;
        return await ReadAsync(path, ct).ConfigureAwait(false);
    }

    /// <summary>Every config of a type, in file-name order (stable output for lists).</summary>
    public async Task<IReadOnlyList<JsonObject>> ListAsync(string type, CancellationToken ct = default)
    {
        var directory = TypeDirectory(type);
        if (!Directory.Exists(directory)) return [];
        var result = new List<JsonObject>();
        foreach (var path in Directory.EnumerateFiles(directory, "*.json").Order(StringComparer.Ordinal))
            result.Add(await ReadAsync(path, ct).ConfigureAwait(false));
        return result;
    }

    /// <summary>Writes through a temporary file and a rename, so a reader never sees half a config.</summary>
    public async Task WriteAsync(string type, Guid id, JsonObject config, CancellationToken ct = default)
    {
        var directory = TypeDirectory(type);
        Directory.CreateDirectory(directory);
        var path = FilePath(type, id);
        var temporary = Path.Combine(directory, $".{id}.{Guid.NewGuid():N}.tmp");
        await File.WriteAllTextAsync(temporary, config.ToJsonString(WriteOptions), ct).ConfigureAwait(false);
        File.Move(temporary, path, overwrite: true);
    }

    private static async Task<JsonObject> ReadAsync(string path, CancellationToken ct)
    {
        var text = await File.ReadAllTextAsync(path, ct).ConfigureAwait(false);
        try
        {
            return JsonNode.Parse(text) as JsonObject
                ?? throw new InvalidDataException($"Config file '{path}' does not hold a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"Config file '{path}' is not valid JSON: {ex.Message}", ex);
        }
    }
}
