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
    internal static async Task CreateAsync(AirbyteApi api, IEnumerable<ConnectionDescription> descriptions, Action<string> log, CancellationToken ct = default)
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
            var created = await api.PostAsync("connections/create", ConnectionCreate(d.Name, sourceId, destinationId, discovered), ct).ConfigureAwait(false);
            log($"Created connection '{d.Name}' ({created["connectionId"]}): {d.Source.Name} → {d.Destination.Name}.");
        }
    }

    /// <summary>Discovery runs the source's connector in a job: allow it far longer than an ordinary request.</summary>
    private static readonly TimeSpan DiscoverTimeout = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The connections/create body for what sources/discover_schema answered, every stream selected, full refresh:
    /// <c>{schema}</c> (0.7–0.19) gives <c>syncMode</c> + <c>syncSchema</c> with every field selected; <c>{catalog}</c>
    /// (0.20 on) gives <c>syncCatalog</c> with every stream selected, overwriting. Without either, the real server stores
    /// a connection with no streams, so a discovery without one is an error.
    /// </summary>
    public static JsonObject ConnectionCreate(string name, string sourceId, string destinationId, JsonObject discovered)
    {
        var body = new JsonObject { ["name"] = name, ["sourceId"] = sourceId, ["destinationId"] = destinationId, ["status"] = "active" };
        if (discovered["schema"] is JsonObject schema)
        {
            var syncSchema = (JsonObject)schema.DeepClone();
            foreach (var stream in Streams(syncSchema))
            {
                foreach (var field in stream["fields"]?.AsArray().OfType<JsonObject>() ?? []) field["selected"] = true;
                if (stream.ContainsKey("syncMode")) stream["syncMode"] = "full_refresh";
            }
            body["syncMode"] = "full_refresh";
            body["syncSchema"] = syncSchema;
        }
        else if (discovered["catalog"] is JsonObject catalog)
        {
            var syncCatalog = (JsonObject)catalog.DeepClone();
            foreach (var stream in Streams(syncCatalog))
            {
                var config = stream["config"] as JsonObject ?? new JsonObject();
                config["syncMode"] = "full_refresh";
                config["destinationSyncMode"] = "overwrite";
                config["selected"] = true;
                stream["config"] = config;
            }
            body["syncCatalog"] = syncCatalog;
        }
        else
        {
            throw new AirbyteApiException($"sources/discover_schema of '{name}''s source answered no schema or catalog (the discovery failed; its job log says why).");
        }
        return body;
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

public sealed record ConnectionDescription(string Name, EndpointDescription Source, EndpointDescription Destination);

/// <summary>A source or destination: its name, the docker repositories of its definition (first present wins), its configuration.</summary>
public sealed record EndpointDescription(string Name, IReadOnlyList<string> Repositories, JsonObject Configuration)
{
    // The configuration may hold a password: keep it out of any printed record.
    public override string ToString() => $"{Name} ({string.Join(" or ", Repositories)})";
}
