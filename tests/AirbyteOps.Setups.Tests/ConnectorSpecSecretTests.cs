using System.Formats.Tar;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AirbyteOps.Setups.Tests;

/// <summary>
/// Secrets by the connectors' own word, checked against every real connector spec in airbyte-reference/specs: configs
/// generated from each spec (one per oneOf branch) must have every airbyte_secret field found, by the key rules alone and
/// with the spec, and sampled plain fields left alone.
/// </summary>
public sealed class ConnectorSpecSecretTests
{
    /// <summary>Plain top-level fields that must stay readable in a setup wherever a spec has them unmarked.</summary>
    private static readonly HashSet<string> PlainSample =
    [
        "host", "port", "database", "username", "user", "schema", "schemas", "start_date", "dataset_id", "project_id", "base",
        "url", "email", "domain", "repository", "warehouse", "role", "bucket_name", "s3_bucket_name", "s3_bucket_region",
        "spreadsheet_id", "subdomain", "tenant_id", "destination_path", "replication_method", "jdbc_url", "shop", "site",
        "customer_id", "view_id", "dataset_location", "basic_normalization",
    ];

    public static IEnumerable<object[]> Specs() =>
        Directory.GetFiles(Path.Combine(AirbyteReference.Root, "specs"), "spec.json", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(f => new object[] { Path.GetRelativePath(Path.Combine(AirbyteReference.Root, "specs"), f) });

    [Fact]
    public void The_reference_holds_the_specs_these_tests_speak_for()
    {
        var specs = Specs().Select(s => (string)s[0]).ToList();
        Assert.True(specs.Count >= 100, $"only {specs.Count} spec.json files under airbyte-reference/specs");
        var all = specs.Select(Generate).ToList();
        var secrets = all.Sum(g => g.Sum(c => c.Secrets.Count));
        var plain = all.Sum(g => g.Sum(c => c.Plain.Count));
        Assert.True(secrets > 150 && plain > 150, $"{secrets} secret and {plain} plain fields generated");
        // oneOf branches hold secrets in the later specs (source-postgres's SSL modes, the SSH tunnel's password).
        Assert.Contains(all.SelectMany(g => g).SelectMany(c => c.Secrets), p => p.Split('/').Length > 3);
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public void Every_airbyte_secret_field_is_found_by_the_key_rules_alone_and_with_the_spec(string spec)
    {
        var specBytes = File.ReadAllBytes(Path.Combine(AirbyteReference.Root, "specs", spec));
        var specKeys = SecretScanner.SpecSecretKeys(specBytes);
        foreach (var config in Generate(spec))
        {
            var json = Encoding.UTF8.GetBytes(new JsonObject { ["name"] = "x", ["configuration"] = config.Json }.ToJsonString());
            var byNames = SecretScanner.Find(json).Select(f => f.Pointer).ToHashSet();
            var withSpec = SecretScanner.Find(json, specKeys).Select(f => f.Pointer).ToHashSet();
            foreach (var secret in config.Secrets)
            {
                Assert.True(byNames.Contains(secret), $"{spec}: airbyte_secret field {secret} is not secret by the key rules");
                Assert.True(withSpec.Contains(secret), $"{spec}: airbyte_secret field {secret} is not secret with the spec's keys");
                Assert.Contains(secret.Split('/')[^1], specKeys);
            }
            foreach (var plain in config.Plain)
            {
                Assert.False(byNames.Contains(plain), $"{spec}: plain field {plain} is taken for a secret by the key rules");
                Assert.False(withSpec.Contains(plain), $"{spec}: plain field {plain} is taken for a secret with the spec's keys");
            }
        }
    }

    /// <summary>Credentials inside a URL or connection string, in each form a connector field takes them (libpq and JDBC).</summary>
    private static readonly string[] UrlsWithCredentials =
    [
        "postgresql://airbyte:pw-{0}@db.internal:5432/warehouse",
        "postgres://u%40corp:pw%2F{0}@db/warehouse?sslmode=require",
        "mongodb+srv://reader:pw-{0}@cluster0.example.net/admin?retryWrites=true",
        "jdbc:postgresql://db:5432/airbyte?user=docker&password=pw-{0}",
        "jdbc:mysql://db:3306/shop?useSSL=false&pwd=pw-{0}",
        "jdbc:sqlserver://db:1433;databaseName=crm;user=sa;password=pw-{0};encrypt=true",
        "jdbc:oracle:thin:scott/pw-{0}@db:1521/orcl",
        "https://api.example.com/v1/items?limit=10&access_token=tok-{0}",
        "host=db port=5432 dbname=warehouse user=airbyte password=pw-{0}",
    ];

    /// <summary>URLs and connection strings without a credential: they stay readable in a setup.</summary>
    private static readonly string[] PlainUrls =
    [
        "postgresql://airbyte@db.internal:5432/warehouse",
        "jdbc:postgresql://db:5432/airbyte?ssl=true&sslmode=require",
        "jdbc:sqlserver://db:1433;databaseName=crm;encrypt=true",
        "https://api.example.com/v1/items?limit=10&page=2",
        "http://db:8080/path@v2",
        "someone@example.com",
    ];

    [Theory]
    [MemberData(nameof(Specs))]
    public void Credentials_inside_a_URL_are_secret_in_any_field_whatever_its_name(string spec)
    {
        foreach (var config in Generate(spec))
        {
            var baseline = Pointers(config.Json);
            var leaves = StringLeaves(config.Json, "/configuration").Where(l => !baseline.Contains(l.Pointer)).ToList();
            if (leaves.Count == 0) continue;

            for (var i = 0; i < leaves.Count; i++) leaves[i].Set(string.Format(System.Globalization.CultureInfo.InvariantCulture, UrlsWithCredentials[i % UrlsWithCredentials.Length], i));
            var withCredentials = Pointers(config.Json);
            foreach (var leaf in leaves)
                Assert.True(withCredentials.Contains(leaf.Pointer), $"{spec}: {leaf.Pointer} = {leaf.Get()} holds a credential but is not secret");

            for (var i = 0; i < leaves.Count; i++) leaves[i].Set(PlainUrls[i % PlainUrls.Length]);
            var plain = Pointers(config.Json);
            foreach (var leaf in leaves)
                Assert.False(plain.Contains(leaf.Pointer), $"{spec}: {leaf.Pointer} = {leaf.Get()} holds no credential but is taken for a secret");
        }
    }

    private static HashSet<string> Pointers(JsonObject configuration) =>
        SecretScanner.Find(Encoding.UTF8.GetBytes(new JsonObject { ["name"] = "x", ["configuration"] = configuration.DeepClone() }.ToJsonString()))
            .Select(f => f.Pointer).ToHashSet();

    private sealed record Leaf(string Pointer, Action<string> Set, Func<string> Get);

    private static IEnumerable<Leaf> StringLeaves(JsonNode? node, string pointer)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (name, child) in o.ToList())
                {
                    var at = $"{pointer}/{name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)}";
                    if (child is JsonValue v && v.GetValueKind() == JsonValueKind.String)
                        yield return new Leaf(at, value => o[name] = value, () => o[name]!.GetValue<string>());
                    else
                        foreach (var leaf in StringLeaves(child, at)) yield return leaf;
                }
                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    var index = i;
                    if (a[i] is JsonValue v && v.GetValueKind() == JsonValueKind.String)
                        yield return new Leaf($"{pointer}/{i}", value => a[index] = value, () => a[index]!.GetValue<string>());
                    else
                        foreach (var leaf in StringLeaves(a[i], $"{pointer}/{i}")) yield return leaf;
                }
                break;
        }
    }

    [Fact]
    public async Task A_spec_folder_finds_a_connector_by_its_docker_repository_in_every_release()
    {
        var folder = new ConnectorSpecFolder(Path.Combine(AirbyteReference.Root, "specs"));
        var specs = await folder.FindAsync(new ConnectorDefinition("source", Guid.NewGuid().ToString(), "airbyte/source-postgres", "0.1.6"), default);
        Assert.Equal(3, specs.Count); // later/, tutorial-b9bc9c8/, v0.27.3-alpha/
        var keys = specs.SelectMany(s => SecretScanner.SpecSecretKeys(s)).ToHashSet();
        Assert.Contains("ca_certificate", keys); // only inside later/'s oneOf SSL modes
        Assert.Contains("password", keys);
        Assert.DoesNotContain("host", keys);
        Assert.Empty(await folder.FindAsync(new ConnectorDefinition("source", "x", "airbyte/source-nothing-like-it", null), default));
        Assert.Empty(await folder.FindAsync(new ConnectorDefinition("source", "x", "airbyte/..", null), default));
        Assert.Empty(await folder.FindAsync(new ConnectorDefinition("source", "x", null, null), default));
    }

    [Fact]
    public async Task Export_hides_a_field_only_the_connectors_spec_marks_secret_inside_a_oneOf_branch()
    {
        // The real later/source-postgres spec, with one oneOf field renamed to a name no key rule covers: only the spec's
        // mark can make it secret, so this proves the export asks the spec source by the definition's image.
        var real = File.ReadAllText(Path.Combine(AirbyteReference.Root, "specs", "later", "source-postgres", "spec.json"));
        Assert.Contains("\"client_key_password\"", real);
        using var specs = new TempDirectory();
        Directory.CreateDirectory(Path.Combine(specs.Path, "source-postgres"));
        File.WriteAllText(Path.Combine(specs.Path, "source-postgres", "spec.json"), real.Replace("\"client_key_password\"", "\"keystore_phrase_x\"", StringComparison.Ordinal));
        Assert.False(AirbyteOps.Secrets.SecretKeyPolicy.IsSecretKey("keystore_phrase_x"));

        const string definitionId = "decd338e-5647-4c0b-adf4-da0e75f5a750";
        const string sourceId = "5a8b2c1e-0000-4000-8000-0000000000aa";
        var connection = "{\"sourceDefinitionId\":\"" + definitionId + "\",\"sourceId\":\"" + sourceId + "\",\"name\":\"pg\",\"configuration\":" +
                         "{\"host\":\"db\",\"ssl_mode\":{\"mode\":\"verify-full\",\"keystore_phrase_x\":\"only-the-spec-knows-77\"}}}";
        var definition = "{\"sourceDefinitionId\":\"" + definitionId + "\",\"name\":\"Postgres\",\"dockerRepository\":\"airbyte/source-postgres\",\"dockerImageTag\":\"0.1.6\"}";
        List<SampleTree.Item> items =
        [
            new("config", TarEntryType.Directory, (UnixFileMode)0x1ED),
            new("config/STANDARD_SOURCE_DEFINITION", TarEntryType.Directory, (UnixFileMode)0x1ED),
            new($"config/STANDARD_SOURCE_DEFINITION/{definitionId}.json", TarEntryType.RegularFile, (UnixFileMode)0x1A4, 0, definition),
            new("config/SOURCE_CONNECTION", TarEntryType.Directory, (UnixFileMode)0x1ED),
            new($"config/SOURCE_CONNECTION/{sourceId}.json", TarEntryType.RegularFile, (UnixFileMode)0x1A4, 0, connection),
        ];
        var asked = new List<ConnectorDefinition>();
        var folder = new ConnectorSpecFolder(specs.Path);
        ConnectorSpecLookup lookup = (d, ct) => { asked.Add(d); return folder.FindAsync(d, ct); };

        var with = await CaptureAsync(items, lookup);
        Assert.Equal([new ConnectorDefinition("source", definitionId, "airbyte/source-postgres", "0.1.6")], asked);
        Assert.DoesNotContain("only-the-spec-knows-77", with.Stored);
        Assert.Equal(["/configuration/ssl_mode/keystore_phrase_x"], with.Pointers);
        Assert.Contains("\"db\"", with.Stored);

        var without = await CaptureAsync(items, null);
        Assert.Contains("only-the-spec-knows-77", without.Stored);
        Assert.Empty(without.Pointers);
    }

    private static async Task<(string Stored, List<string> Pointers)> CaptureAsync(List<SampleTree.Item> items, ConnectorSpecLookup? lookup)
    {
        using var folder = new TempDirectory();
        using var tar = SampleTree.Tar(items, "data/");
        var capture = await SetupCapture.CaptureAsync(tar, "test tree", Path.Combine(folder.Path, "setup"), new SetupSource("volume", "test", "/data", "unix:///test", "test"),
            "0.7.1-alpha", SecretsMode.Sidecar, new HashSet<string>(), default, lookup);
        var file = items.Single(i => i.Path.StartsWith("config/SOURCE_CONNECTION/", StringComparison.Ordinal)).Path;
        var stored = File.ReadAllText(Path.Combine(capture.Folder, SetupManifest.TreeFolder, file));
        return (stored, capture.Manifest.Secrets.Select(s => s.Pointer).ToList());
    }

    // ---- Configs generated from a spec ----

    private sealed record GeneratedConfig(JsonObject Json, List<string> Secrets, List<string> Plain);

    /// <summary>One config per oneOf branch index (variant k takes branch k of every oneOf, or its last), every field filled.</summary>
    private static List<GeneratedConfig> Generate(string spec)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AirbyteReference.Root, "specs", spec)));
        var schema = doc.RootElement.GetProperty("connectionSpecification");
        var variants = Math.Max(1, MaxBranches(schema));
        var configs = new List<GeneratedConfig>();
        for (var k = 0; k < variants; k++)
        {
            var secrets = new List<string>();
            var plain = new List<string>();
            var json = (JsonObject)Build(schema, "/configuration", k, secrets, plain, top: true)!;
            configs.Add(new GeneratedConfig(json, secrets, plain));
        }
        return configs;
    }

    private static int MaxBranches(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => Math.Max(e.TryGetProperty("oneOf", out var o) && o.ValueKind == JsonValueKind.Array ? o.GetArrayLength() : 0,
            e.EnumerateObject().Select(p => MaxBranches(p.Value)).DefaultIfEmpty(0).Max()),
        JsonValueKind.Array => e.EnumerateArray().Select(MaxBranches).DefaultIfEmpty(0).Max(),
        _ => 0,
    };

    private static JsonNode? Build(JsonElement schema, string pointer, int k, List<string> secrets, List<string> plain, bool top = false)
    {
        var properties = new List<(string Name, JsonElement Schema)>();
        if (schema.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object)
            properties.AddRange(p.EnumerateObject().Select(x => (x.Name, x.Value)));
        if (schema.TryGetProperty("oneOf", out var oneOf) && oneOf.ValueKind == JsonValueKind.Array && oneOf.GetArrayLength() > 0)
        {
            var branch = oneOf[Math.Min(k, oneOf.GetArrayLength() - 1)];
            if (branch.TryGetProperty("properties", out var bp) && bp.ValueKind == JsonValueKind.Object)
                properties.AddRange(bp.EnumerateObject().Where(x => properties.All(e => e.Name != x.Name)).Select(x => (x.Name, x.Value)));
        }
        var type = TypeOf(schema);
        if (properties.Count > 0 || type == "object")
        {
            var o = new JsonObject();
            foreach (var (name, sub) in properties)
            {
                if (sub.ValueKind != JsonValueKind.Object) continue;
                var at = $"{pointer}/{name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)}";
                if (sub.TryGetProperty("airbyte_secret", out var flag) && flag.ValueKind == JsonValueKind.True)
                {
                    o[name] = $"secret-value-{secrets.Count}";
                    secrets.Add(at);
                    continue;
                }
                o[name] = Build(sub, at, k, secrets, plain);
                if (top && PlainSample.Contains(name) && o[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String) plain.Add(at);
            }
            return o;
        }
        return type switch
        {
            "array" => new JsonArray(schema.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Object ? Build(items, pointer + "/0", k, secrets, plain) : JsonValue.Create("item")),
            "integer" or "number" => JsonValue.Create(1),
            "boolean" => JsonValue.Create(true),
            _ => JsonValue.Create("plain-value"),
        };
    }

    private static string? TypeOf(JsonElement schema)
    {
        if (!schema.TryGetProperty("type", out var t)) return null;
        if (t.ValueKind == JsonValueKind.String) return t.GetString();
        return t.ValueKind == JsonValueKind.Array ? t.EnumerateArray().Select(x => x.GetString()).FirstOrDefault(x => x != "null") : null;
    }
}
