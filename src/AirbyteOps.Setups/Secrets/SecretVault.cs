using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AirbyteOps.Docker;

namespace AirbyteOps.Setups.Secrets;

/// <summary>
/// Moves secret values out of connection files into placeholders, and back.
/// A placeholder names where the value was (file and JSON pointer), never the value, so it is stable from one export
/// to the next and reveals nothing: <c>airbyteops-secret:&lt;16 hex of SHA-256(file#pointer)&gt;</c>.
/// The values live in a sidecar secrets file (mode 0600, ignored by git) next to the setup.
/// </summary>
public static class SecretVault
{
    public const string PlaceholderPrefix = "airbyteops-secret:";
    public const string SecretsSuffix = ".secrets.json";
    public const string Format = "airbyteops-setup-secrets";

    /// <summary>Config types whose files hold connector configurations with plaintext secrets.</summary>
    public static readonly IReadOnlyList<string> SecretConfigTypes = ["SOURCE_CONNECTION", "DESTINATION_CONNECTION"];

    public static string PlaceholderFor(string file, string pointer)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{file}#{pointer}"));
        return PlaceholderPrefix + Convert.ToHexString(hash).ToLowerInvariant()[..16];
    }

    /// <summary>True for config/SOURCE_CONNECTION/*.json and config/DESTINATION_CONNECTION/*.json.</summary>
    public static bool MayHoldSecrets(string path)
    {
        var parts = path.Split('/');
        return parts.Length == 3 && parts[0] == "config" && SecretConfigTypes.Contains(parts[1]) && parts[2].EndsWith(".json", StringComparison.Ordinal);
    }

    /// <summary>The file with its secrets replaced by placeholders, the references, and the values to keep aside.</summary>
    public static (byte[] Stored, IReadOnlyList<SecretReference> References, SecretFileValues Values) Extract(
        string file, byte[] original, IReadOnlySet<string>? extraKeys = null)
    {
        var fields = SecretScanner.Find(original, extraKeys);
        var references = new List<SecretReference>();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        using var stored = new MemoryStream(original.Length);
        var position = 0;
        foreach (var field in fields)
        {
            var placeholder = PlaceholderFor(file, field.Pointer);
            stored.Write(original, position, field.Start - position);
            stored.Write(Encoding.ASCII.GetBytes(placeholder));
            position = field.Start + field.Length;
            references.Add(new SecretReference(placeholder, file, field.Pointer));
            values[placeholder] = Encoding.UTF8.GetString(original, field.Start, field.Length);
        }
        stored.Write(original, position, original.Length - position);
        return (stored.ToArray(), references, new SecretFileValues(Sha256Hex(original), original.LongLength, values));
    }

    /// <summary>
    /// Puts the values back. Each placeholder must appear exactly once as a whole JSON string; the result must hash
    /// to the original's SHA-256, so a wrong or stale secrets file is caught rather than written.
    /// </summary>
    public static byte[] Reinsert(string file, byte[] stored, IReadOnlyList<SecretReference> references, SecretFileValues values)
    {
        var result = stored;
        foreach (var reference in references)
        {
            if (!values.Values.TryGetValue(reference.Placeholder, out var raw))
                throw new SetupException($"The secrets file has no value for {reference.Placeholder} ({file} {reference.Pointer}).");
            var needle = Encoding.ASCII.GetBytes($"\"{reference.Placeholder}\"");
            var at = result.AsSpan().IndexOf(needle);
            if (at < 0 || result.AsSpan(at + 1).IndexOf(needle) >= 0)
                throw new SetupException($"Setup file '{file}' does not hold placeholder {reference.Placeholder} exactly once; the setup was edited by hand or is damaged.");
            var replacement = Encoding.UTF8.GetBytes($"\"{raw}\"");
            var next = new byte[result.Length - needle.Length + replacement.Length];
            result.AsSpan(0, at).CopyTo(next);
            replacement.CopyTo(next.AsSpan(at));
            result.AsSpan(at + needle.Length).CopyTo(next.AsSpan(at + replacement.Length));
            result = next;
        }
        if (Sha256Hex(result) != values.Sha256)
            throw new SetupException($"Putting the secrets back into '{file}' does not give the exported file (checksum differs); the secrets file belongs to another export of this setup.");
        return result;
    }

    public static string Sha256Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();

    /// <summary>Writes the secrets file with mode 0600 from the first byte (never readable by others, even briefly).</summary>
    public static void WriteFile(string path, IReadOnlyDictionary<string, SecretFileValues> files)
    {
        var document = new SecretsDocument
        {
            Format = Format,
            FormatVersion = 1,
            Note = "Secret values taken out of the setup's connection files. Keep private; never commit (git ignores *.secrets.json).",
            Files = files.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(kv => kv.Key, kv => kv.Value),
        };
        using (var stream = new FileStream(path, UnixModes.NewPrivateFile()))
        {
            JsonSerializer.Serialize(stream, document, SetupJson.Options);
        }
        // CreateNew with UnixCreateMode is subject to umask; make the mode exact.
        UnixModes.Set(path, UnixModes.Private);
    }

    public static IReadOnlyDictionary<string, SecretFileValues> ReadFile(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            var document = JsonSerializer.Deserialize<SecretsDocument>(stream, SetupJson.Options);
            if (document?.Format != Format || document.Files is null)
                throw new SetupException($"'{path}' is not an AirbyteOps secrets file.");
            return document.Files;
        }
        catch (JsonException ex)
        {
            throw new SetupException($"Secrets file '{path}' is not valid JSON ({ex.Message.Split('\n')[0]}).", ex);
        }
    }

    /// <summary>True when both hold the same files and values.</summary>
    public static bool SameValues(IReadOnlyDictionary<string, SecretFileValues> a, IReadOnlyDictionary<string, SecretFileValues> b) =>
        a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var other) && other.Sha256 == kv.Value.Sha256 && other.Size == kv.Value.Size &&
            other.Values.Count == kv.Value.Values.Count && kv.Value.Values.All(v => other.Values.TryGetValue(v.Key, out var ov) && ov == v.Value));

    private sealed class SecretsDocument
    {
        public string? Format { get; set; }
        public int FormatVersion { get; set; }
        public string? Note { get; set; }
        public Dictionary<string, SecretFileValues>? Files { get; set; }
    }
}
