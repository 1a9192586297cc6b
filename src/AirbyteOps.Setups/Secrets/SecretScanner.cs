using System.Text.Json;
using AirbyteOps.Secrets;

namespace AirbyteOps.Setups.Secrets;

/// <summary>
/// Finds secret string values in a connection's JSON, at any depth, without re-serializing it: it reports byte
/// ranges of the raw string contents so they can be cut out and put back byte for byte.
/// A value is secret when its key is secret by <see cref="SecretKeyPolicy"/> (password, token, api_key, ...), when the connector spec
/// marks the key airbyte_secret, when it sits anywhere under such a key (e.g. every string in "credentials": {...}), or
/// when it carries a credential inside a URL or connection string, whatever its key (postgresql://user:pass@host, ?password=).
/// Hiding too much is harmless (it round-trips); hiding too little leaks.
/// </summary>
public static class SecretScanner
{
    /// <summary>Secret string values of <paramref name="json"/>, in document order. Empty strings are not secrets.</summary>
    public static IReadOnlyList<SecretField> Find(ReadOnlySpan<byte> json, IReadOnlySet<string>? extraKeys = null)
    {
        var found = new List<SecretField>();
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        // One frame per open object or array: its pointer, whether it sits under a secret key, and the next key or index.
        var frames = new Stack<Frame>();
        string? property = null;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    property = reader.GetString();
                    break;
                case JsonTokenType.StartObject:
                case JsonTokenType.StartArray:
                {
                    var (pointer, secret) = Child(frames, property, extraKeys);
                    frames.Push(new Frame(pointer, reader.TokenType == JsonTokenType.StartArray, secret));
                    property = null;
                    break;
                }
                case JsonTokenType.EndObject:
                case JsonTokenType.EndArray:
                    frames.Pop();
                    if (frames.Count > 0 && frames.Peek().IsArray) frames.Peek().Index++;
                    property = null;
                    break;
                default:
                {
                    var (pointer, secret) = Child(frames, property, extraKeys);
                    if (reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length > 0 && (secret || HoldsCredentials(ref reader)))
                        found.Add(new SecretField(pointer, checked((int)reader.TokenStartIndex + 1), reader.ValueSpan.Length));
                    if (frames.Count > 0 && frames.Peek().IsArray) frames.Peek().Index++;
                    property = null;
                    break;
                }
            }
        }
        return found;
    }

    /// <summary>A credential inside a URL or connection string (<see cref="SecretKeyPolicy.HoldsCredentials"/>); read only when '@' or '=' is in it.</summary>
    private static bool HoldsCredentials(ref Utf8JsonReader reader) =>
        (reader.ValueSpan.IndexOfAny((byte)'@', (byte)'=') >= 0 || reader.ValueIsEscaped) && SecretKeyPolicy.HoldsCredentials(reader.GetString()!);

    private static (string Pointer, bool Secret) Child(Stack<Frame> frames, string? property, IReadOnlySet<string>? extraKeys)
    {
        if (frames.Count == 0) return ("", false);
        var parent = frames.Peek();
        if (parent.IsArray) return ($"{parent.Pointer}/{parent.Index}", parent.Secret);
        var key = property ?? "";
        return ($"{parent.Pointer}/{key.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)}", parent.Secret || SecretKeyPolicy.IsSecretKey(key, extraKeys));
    }

    private sealed class Frame(string pointer, bool isArray, bool secret)
    {
        public string Pointer { get; } = pointer;
        public bool IsArray { get; } = isArray;
        public bool Secret { get; } = secret;
        public int Index { get; set; }
    }

    /// <summary>
    /// Keys a connector spec marks <c>"airbyte_secret": true</c>, anywhere in a definition's JSON
    /// (older Airbyte keeps no spec in the config tree; later ones do, under spec.connectionSpecification).
    /// </summary>
    public static IReadOnlySet<string> SpecSecretKeys(ReadOnlySpan<byte> definitionJson)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            var reader = new Utf8JsonReader(definitionJson);
            using var doc = JsonDocument.ParseValue(ref reader);
            Walk(doc.RootElement, keys);
        }
        catch (JsonException)
        {
            // Not JSON: nothing to learn from it.
        }
        return keys;
    }

    private static void Walk(JsonElement element, HashSet<string> keys)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                if (property.Name == "properties" && property.Value.ValueKind == JsonValueKind.Object)
                {
                    foreach (var field in property.Value.EnumerateObject())
                        if (field.Value.ValueKind == JsonValueKind.Object && field.Value.TryGetProperty("airbyte_secret", out var flag) && flag.ValueKind == JsonValueKind.True)
                            keys.Add(field.Name);
                }
                Walk(property.Value, keys);
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray()) Walk(item, keys);
        }
    }
}
