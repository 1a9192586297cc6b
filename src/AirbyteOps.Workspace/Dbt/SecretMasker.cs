using AirbyteOps.Secrets;
using YamlDotNet.RepresentationModel;

namespace AirbyteOps.Workspace.Dbt;

/// <summary>
/// Replaces known secrets (the passwords of a dbt profiles.yml) in text before anyone sees it,
/// including dbt's streamed output, which can echo connection settings in its errors.
/// </summary>
public sealed class SecretMasker
{
    public const string Mask = "[REDACTED]";

    private readonly string[] _secrets;

    public SecretMasker(IEnumerable<string> secrets) =>
        // Longest first, so a secret that contains another is masked whole.
        _secrets = secrets.Where(s => !string.IsNullOrEmpty(s)).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length).ToArray();

    public static SecretMasker None { get; } = new([]);

    public int Count => _secrets.Length;

    public string Apply(string text)
    {
        foreach (var secret in _secrets) text = text.Replace(secret, Mask, StringComparison.Ordinal);
        return text;
    }

    /// <summary>The secrets of a profiles.yml: every value under a key <see cref="SecretKeyPolicy"/> calls secret, anywhere in the file.</summary>
    public static SecretMasker FromProfilesYaml(string yaml)
    {
        var secrets = new List<string>();
        try
        {
            var stream = new YamlStream();
            using var reader = new StringReader(yaml);
            stream.Load(reader);
            foreach (var document in stream.Documents) Collect(document.RootNode, secrets);
        }
        catch (YamlDotNet.Core.YamlException)
        {
            // A broken file still must not leak: fall back to "key: value" lines.
            foreach (var line in yaml.Split('\n'))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0 || !SecretKeyPolicy.IsSecretKey(line[..colon].Trim().Trim('"', '\''))) continue;
                var value = line[(colon + 1)..].Trim().Trim('"', '\'');
                if (value.Length > 0) secrets.Add(value);
            }
        }
        return new SecretMasker(secrets);
    }

    private static void Collect(YamlNode node, List<string> secrets)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                foreach (var (key, value) in mapping.Children)
                {
                    if (key is YamlScalarNode { Value: { } k } && SecretKeyPolicy.IsSecretKey(k) && value is YamlScalarNode { Value: { Length: > 0 } v })
                        secrets.Add(v);
                    else
                        Collect(value, secrets);
                }
                break;
            case YamlSequenceNode sequence:
                foreach (var child in sequence.Children) Collect(child, secrets);
                break;
        }
    }
}
