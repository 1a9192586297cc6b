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
            var created = await api.PostAsync("connections/create", new JsonObject
            {
                ["name"] = d.Name,
                ["sourceId"] = sourceId,
                ["destinationId"] = destinationId,
                ["status"] = "active",
            }, ct).ConfigureAwait(false);
            log($"Created connection '{d.Name}' ({created["connectionId"]}): {d.Source.Name} → {d.Destination.Name}.");
        }
    }

    private static async Task<string> EnsureAsync(AirbyteApi api, string kind, string workspaceId, EndpointDescription e, CancellationToken ct, Action<string> log)
    {
        var existing = await api.ListAsync($"{kind}s", workspaceId, ct).ConfigureAwait(false);
        if (existing.FirstOrDefault(x => x["name"]?.GetValue<string>() == e.Name) is { } found)
        {
            log($"The {kind} '{e.Name}' already exists; left as it is.");
            return found[$"{kind}Id"]!.GetValue<string>();
        }
        var definitions = await api.PostAsync($"{kind}_definitions/list", new { }, ct).ConfigureAwait(false);
        var definition = definitions[$"{kind}Definitions"]?.AsArray().OfType<JsonObject>()
            .FirstOrDefault(x => string.Equals(x["name"]?.GetValue<string>(), e.Definition, StringComparison.OrdinalIgnoreCase))
            ?? throw new AirbyteApiException($"The deployment has no {kind} definition named '{e.Definition}' (for '{e.Name}').");
        var created = await api.PostAsync($"{kind}s/create", new JsonObject
        {
            ["name"] = e.Name,
            ["workspaceId"] = workspaceId,
            [$"{kind}DefinitionId"] = definition[$"{kind}DefinitionId"]!.DeepClone(),
            ["connectionConfiguration"] = e.Configuration.DeepClone(),
        }, ct).ConfigureAwait(false);
        log($"Created the {kind} '{e.Name}' ({e.Definition}).");
        return created[$"{kind}Id"]!.GetValue<string>();
    }

    private static EndpointDescription Endpoint(YamlMappingNode node, string key, Func<string, string?> variables)
    {
        var e = (YamlMappingNode)node.Children[new YamlScalarNode(key)];
        return new EndpointDescription(Text(e, "name"), Text(e, "definition"),
            ToJson(e.Children[new YamlScalarNode("configuration")], variables) as JsonObject ?? throw new AirbyteApiException($"The {key} '{Text(e, "name")}' needs a configuration mapping."));
    }

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

public sealed record EndpointDescription(string Name, string Definition, JsonObject Configuration)
{
    // The configuration may hold a password: keep it out of any printed record.
    public override string ToString() => $"{Name} ({Definition})";
}
