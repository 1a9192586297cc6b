using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AirbyteOps.Setups.Schemas;
using AirbyteOps.StandIns.DemoStack.Api;

namespace AirbyteOps.StandIns.DemoStack.Config;

/// <summary>
/// Stand-in for Airbyte 0.7's DefaultConfigPersistence: one JSON file per config at
/// CONFIG_ROOT/config/&lt;TYPE&gt;/&lt;id&gt;.json. Nothing is cached, on purpose: the tutorial restores a setup by
/// copying files into the volume and expects the next request to see them. As strict as the real one: every file read is
/// validated against Airbyte 0.7.1's own schema for its type, and a list of a type fails on a stray entry in its folder
/// (anything but an &lt;id&gt;.json file); both answer 422 naming the file.
/// </summary>
public sealed partial class ConfigRepository
{
    /// <summary>The schemas of the release this stand-in imitates.</summary>
    private static readonly AirbyteConfigSchemas Schemas = AirbyteConfigSchemas.For("0.7.1-alpha")
        ?? throw new InvalidOperationException("The 0.7.1 config-type schemas are not embedded.");

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
        return await ReadAsync(type, path, ct).ConfigureAwait(false);
    }

    /// <summary>Every config of a type, in file-name order (stable output for lists).</summary>
    public async Task<IReadOnlyList<JsonObject>> ListAsync(string type, CancellationToken ct = default)
    {
        var directory = TypeDirectory(type);
        if (!Directory.Exists(directory)) return [];
        var result = new List<JsonObject>();
        foreach (var path in Directory.EnumerateFileSystemEntries(directory).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(path);
            if (OwnTemporaryFile().IsMatch(name)) continue; // a write of this server in flight (the real one wrote in place)
            if (!IsIdFile(name) || !File.Exists(path))
                throw ApiException.Invalid($"config/{type}/{name} is not a config file (<id>.json); the {type} configs cannot be read until it is removed.");
            result.Add(await ReadAsync(type, path, ct).ConfigureAwait(false));
        }
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

    private static async Task<JsonObject> ReadAsync(string type, string path, CancellationToken ct)
    {
        var text = await File.ReadAllTextAsync(path, ct).ConfigureAwait(false);
        JsonObject config;
        try
        {
            config = JsonNode.Parse(text) as JsonObject
                ?? throw new InvalidDataException($"Config file '{path}' does not hold a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"Config file '{path}' is not valid JSON: {ex.Message}", ex);
        }
        using (var document = JsonDocument.Parse(text))
        {
            if (Schemas.FirstProblem(type, document.RootElement) is { } problem)
                throw ApiException.Invalid($"Config file '{path}' is invalid under the {problem}");
        }
        return config;
    }

    private static bool IsIdFile(string name) =>
        name.EndsWith(".json", StringComparison.Ordinal) && Guid.TryParseExact(name[..^".json".Length], "D", out _);

    /// <summary>The temporary name <see cref="WriteAsync"/> uses: ".&lt;id&gt;.&lt;32 hex&gt;.tmp".</summary>
    [GeneratedRegex(@"^\.[0-9a-f-]{36}\.[0-9a-f]{32}\.tmp$")]
    private static partial Regex OwnTemporaryFile();
}
