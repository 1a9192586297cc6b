using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace AirbyteOps.Api;

/// <summary>
/// "Connections without a browser": sources, destinations and connections described in a checked-in YAML
/// file, created through the API idempotently (matched by name). ${NAME} placeholders are filled from
/// variables at load time, so secrets stay out of the file.
/// </summary>
public static partial class ConnectionCatalog
{
    public static IReadOnlyList<ConnectionDescription> Load(string path, Func<string, string?> variables)
    {
        if (!File.Exists(path)) throw new AirbyteApiException($"Connection descriptions '{path}' do not exist.");
        var stream = new YamlStream();
        using (var reader = new StreamReader(path)) stream.Load(reader);
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var list = (YamlSequenceNode)root.Children[new YamlScalarNode("connections")];
        return list.Children.OfType<YamlMappingNode>().Select(node => new ConnectionDescription(
            Text(node, "name"),
            Endpoint(node, "source", variables),
            Endpoint(node, "destination", variables))).ToList();
    }

    /// <summary>Creates what is missing of <paramref name="descriptions"/>: sources, destinations, connections, matched by name.</summary>
    internal static async Task CreateAsync(AirbyteApi api, IEnumerable<ConnectionDescription> descriptions, ConnectionSyncMode syncMode, Action<string> log, CancellationToken ct = default)
    {
        var workspaceId = await api.DefaultWorkspaceIdAsync(ct).ConfigureAwait(false);
        foreach (var d in descriptions)
        {
            var sourceId = await EnsureAsync(api, "source", workspaceId, d.Source, ct, log).ConfigureAwait(false);
            var destinationId = await EnsureAsync(api, "destination", workspaceId, d.Destination, ct, log).ConfigureAwait(false);
            var connections = await api.ListAsync("connections", workspaceId, ct).ConfigureAwait(false);
            if (connections.FirstOrDefault(c => c["name"]?.GetValue<string>() == d.Name) is { } existing)
            {
                log($"Connection '{d.Name}' already exists ({existing["connectionId"]}); left as it is.");
                continue;
            }
            var discovered = await api.PostAsync("sources/discover_schema", new { sourceId }, ct, DiscoverTimeout).ConfigureAwait(false);
            var request = ConnectionCreate(d.Name, sourceId, destinationId, discovered, syncMode);
            var created = await api.PostAsync("connections/create", request.Body, ct).ConfigureAwait(false);
            log($"Created connection '{d.Name}' ({created["connectionId"]}): {d.Source.Name} → {d.Destination.Name}, {request.Describe()}.");
        }
    }

    /// <summary>Discovery runs the source's connector in a job: allow it far longer than an ordinary request.</summary>
    private static readonly TimeSpan DiscoverTimeout = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The connections/create body for what sources/discover_schema answered, every stream selected:
    /// <c>{schema}</c> (0.7–0.19) gives the connection's <c>syncMode</c> + <c>syncSchema</c> with every field selected
    /// and each stream's <c>syncMode</c> (+ <c>cursorField</c>); <c>{catalog}</c> (0.20 on) gives <c>syncCatalog</c>
    /// with every stream selected, each stream's <c>config</c> full_refresh + overwrite, or with
    /// <paramref name="syncMode"/> incremental: incremental + its cursor + append. A stream whose source does not
    /// support incremental (<c>supportedSyncModes</c>), or that has neither a source-defined cursor nor a default
    /// cursor field, stays full_refresh and is named in <see cref="ConnectionCreateRequest.FullRefreshOnly"/>.
    /// Without a schema or catalog the real server stores a connection with no streams, so that is an error.
    /// </summary>
    public static ConnectionCreateRequest ConnectionCreate(string name, string sourceId, string destinationId, JsonObject discovered, ConnectionSyncMode syncMode = ConnectionSyncMode.FullRefresh)
    {
        var body = new JsonObject { ["name"] = name, ["sourceId"] = sourceId, ["destinationId"] = destinationId, ["status"] = "active" };
        var incremental = new List<string>();
        var fullRefreshOnly = new List<string>();
        if (discovered["schema"] is JsonObject schema)
        {
            var syncSchema = (JsonObject)schema.DeepClone();
            foreach (var stream in Streams(syncSchema))
            {
                foreach (var field in stream["fields"]?.AsArray().OfType<JsonObject>() ?? []) field["selected"] = true;
                var cursor = syncMode == ConnectionSyncMode.Incremental ? IncrementalCursor(stream) : null;
                Sort(stream, cursor, incremental, fullRefreshOnly, syncMode);
                if (cursor is not null)
                {
                    stream["syncMode"] = "incremental";
                    stream["cursorField"] = cursor;
                }
                else if (stream.ContainsKey("syncMode") || syncMode == ConnectionSyncMode.Incremental)
                {
                    stream["syncMode"] = "full_refresh";
                }
            }
            // 0.7–0.12 take the mode per connection (required); the per-stream fields say which stream it applies to.
            body["syncMode"] = incremental.Count > 0 ? "incremental" : "full_refresh";
            body["syncSchema"] = syncSchema;
        }
        else if (discovered["catalog"] is JsonObject catalog)
        {
            var syncCatalog = (JsonObject)catalog.DeepClone();
            foreach (var stream in Streams(syncCatalog))
            {
                var config = stream["config"] as JsonObject ?? new JsonObject();
                var cursor = syncMode == ConnectionSyncMode.Incremental && stream["stream"] is JsonObject s ? IncrementalCursor(s) : null;
                Sort(stream["stream"] as JsonObject ?? stream, cursor, incremental, fullRefreshOnly, syncMode);
                if (cursor is not null)
                {
                    config["syncMode"] = "incremental";
                    config["cursorField"] = cursor;
                    config["destinationSyncMode"] = "append";
                }
                else
                {
                    config["syncMode"] = "full_refresh";
                    config["destinationSyncMode"] = "overwrite";
                }
                config["selected"] = true;
                stream["config"] = config;
            }
            body["syncCatalog"] = syncCatalog;
        }
        else
        {
            throw new AirbyteApiException($"sources/discover_schema of '{name}''s source answered no schema or catalog (the discovery failed; its job log says why).");
        }
        return new ConnectionCreateRequest(body, incremental, fullRefreshOnly);
    }

    /// <summary>
    /// The cursor an incremental sync of <paramref name="stream"/> uses (an AirbyteStream or a 0.7–0.12 SourceSchemaStream,
    /// which name the same fields): empty when the source defines it, else the default cursor field; null when the
    /// stream cannot be synced incrementally (incremental not in supportedSyncModes, or no cursor to use).
    /// </summary>
    private static JsonArray? IncrementalCursor(JsonObject stream)
    {
        var supported = stream["supportedSyncModes"]?.AsArray().Any(m => m?.GetValue<string>() == "incremental") ?? false;
        if (!supported) return null;
        if (stream["sourceDefinedCursor"]?.GetValue<bool>() == true) return [];
        return stream["defaultCursorField"] is JsonArray { Count: > 0 } defaultCursor ? (JsonArray)defaultCursor.DeepClone() : null;
    }

    private static void Sort(JsonObject stream, JsonArray? cursor, List<string> incremental, List<string> fullRefreshOnly, ConnectionSyncMode syncMode)
    {
        if (syncMode != ConnectionSyncMode.Incremental) return;
        var name = stream["name"]?.GetValue<string>() ?? "(unnamed)";
        (cursor is null ? fullRefreshOnly : incremental).Add(name);
    }

    private static IEnumerable<JsonObject> Streams(JsonObject schemaOrCatalog) => schemaOrCatalog["streams"]?.AsArray().OfType<JsonObject>() ?? [];

    private static async Task<string> EnsureAsync(AirbyteApi api, string kind, string workspaceId, EndpointDescription e, CancellationToken ct, Action<string> log)
    {
        var existing = await api.ListAsync($"{kind}s", workspaceId, ct).ConfigureAwait(false);
        if (existing.FirstOrDefault(x => x["name"]?.GetValue<string>() == e.Name) is { } found)
        {
            log($"The {kind} '{e.Name}' already exists; left as it is.");
            return found[$"{kind}Id"]!.GetValue<string>();
        }
        var definitions = await api.PostAsync($"{kind}_definitions/list", new { }, ct).ConfigureAwait(false);
        // By docker repository, not display name: names changed between versions ("exchangeratesapi.io" in 0.7.1,
        // "Exchange Rates Api" later), repositories are what the seed keys on. The first listed repository present wins.
        var known = definitions[$"{kind}Definitions"]?.AsArray().OfType<JsonObject>().ToList() ?? [];
        var definition = e.Repositories
            .Select(r => known.FirstOrDefault(x => string.Equals(x["dockerRepository"]?.GetValue<string>(), r, StringComparison.Ordinal)))
            .FirstOrDefault(x => x is not null)
            ?? throw new AirbyteApiException($"The deployment has no {kind} definition with the docker repository {string.Join(" or ", e.Repositories)} (for '{e.Name}'); it has: {string.Join(", ", known.Select(x => x["dockerRepository"]?.GetValue<string>()))}.");
        var created = await api.PostAsync($"{kind}s/create", new JsonObject
        {
            ["name"] = e.Name,
            ["workspaceId"] = workspaceId,
            [$"{kind}DefinitionId"] = definition[$"{kind}DefinitionId"]!.DeepClone(),
            ["connectionConfiguration"] = e.Configuration.DeepClone(),
        }, ct).ConfigureAwait(false);
        log($"Created the {kind} '{e.Name}' ({definition["dockerRepository"]}).");
        return created[$"{kind}Id"]!.GetValue<string>();
    }

    private static EndpointDescription Endpoint(YamlMappingNode node, string key, Func<string, string?> variables)
    {
        var e = (YamlMappingNode)node.Children[new YamlScalarNode(key)];
        return new EndpointDescription(Text(e, "name"), Repositories(e),
            ToJson(e.Children[new YamlScalarNode("configuration")], variables) as JsonObject ?? throw new AirbyteApiException($"The {key} '{Text(e, "name")}' needs a configuration mapping."));
    }

    /// <summary>definition: one docker repository, or a list of them (a connector renamed between versions).</summary>
    private static IReadOnlyList<string> Repositories(YamlMappingNode node) =>
        node.Children.TryGetValue(new YamlScalarNode("definition"), out var v) && v is YamlSequenceNode list
            ? list.Children.OfType<YamlScalarNode>().Select(s => s.Value ?? "").ToList()
            : [Text(node, "definition")];

    private static string Text(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var v) && v is YamlScalarNode s ? s.Value ?? "" : throw new AirbyteApiException($"A connection description lacks '{key}'.");

    /// <summary>YAML to JSON, typing plain scalars (numbers, booleans) as YAML does and filling ${NAME} placeholders.</summary>
    private static JsonNode? ToJson(YamlNode node, Func<string, string?> variables) => node switch
    {
        YamlMappingNode m => new JsonObject(m.Children.Select(kv => KeyValuePair.Create(((YamlScalarNode)kv.Key).Value!, ToJson(kv.Value, variables)))),
        YamlSequenceNode s => new JsonArray(s.Children.Select(c => ToJson(c, variables)).ToArray()),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } p => Typed(Fill(p.Value ?? "", variables)),
        YamlScalarNode q => JsonValue.Create(Fill(q.Value ?? "", variables)),
        _ => null,
    };

    private static JsonNode? Typed(string text) =>
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? JsonValue.Create(n)
        : text is "true" or "false" ? JsonValue.Create(text == "true")
        : JsonValue.Create(text);

    private static string Fill(string text, Func<string, string?> variables) => Placeholder().Replace(text, m =>
        variables(m.Groups[1].Value) ?? throw new AirbyteApiException($"${{{m.Groups[1].Value}}} in the connection descriptions has no value: set the environment variable {m.Groups[1].Value}."));

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex Placeholder();
}

/// <summary>How CreateConnections syncs the streams of a connection it creates (<c>--sync-mode</c>).</summary>
public enum ConnectionSyncMode
{
    /// <summary>Every sync rewrites every stream (full_refresh, overwrite). The default.</summary>
    FullRefresh,

    /// <summary>Streams whose source supports it sync only what is new since the last sync (incremental, append); the others stay full_refresh.</summary>
    Incremental,
}

/// <summary>A connections/create body, and (for --sync-mode incremental) which streams got incremental and which stayed full_refresh.</summary>
public sealed record ConnectionCreateRequest(JsonObject Body, IReadOnlyList<string> Incremental, IReadOnlyList<string> FullRefreshOnly)
{
    public string Describe() => (Incremental.Count, FullRefreshOnly.Count) switch
    {
        (0, 0) => "full_refresh",
        (_, 0) => $"incremental ({string.Join(", ", Incremental)})",
        (0, _) => $"full_refresh: no stream supports incremental with a cursor ({string.Join(", ", FullRefreshOnly)} stay full_refresh)",
        _ => $"incremental ({string.Join(", ", Incremental)}); {string.Join(", ", FullRefreshOnly)} stay full_refresh (the source does not sync them incrementally)",
    };
}

public sealed record ConnectionDescription(string Name, EndpointDescription Source, EndpointDescription Destination);

/// <summary>A source or destination: its name, the docker repositories of its definition (first present wins), its configuration.</summary>
public sealed record EndpointDescription(string Name, IReadOnlyList<string> Repositories, JsonObject Configuration)
{
    // The configuration may hold a password: keep it out of any printed record.
    public override string ToString() => $"{Name} ({string.Join(" or ", Repositories)})";
}
