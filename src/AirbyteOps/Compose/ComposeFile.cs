using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AirbyteOps.Compose;

/// <summary>
/// What a compose file declares: services, named volumes (with their real names) and bind mounts. Read
/// with YamlDotNet so ComposeUp knows what to wait for and WipeVolumes can say what it will remove.
/// Variables are interpolated as compose does: ${VAR}, ${VAR:-default}, from the environment, then the env file.
/// Volume names follow docker-compose 1.29: a volume's <c>name:</c> as it is, else <c>&lt;project&gt;_&lt;key&gt;</c> with the
/// project name lower-cased and stripped to [-_a-z0-9] (so the real 0.7.1 release's workspace volume is <c>workspace</c>,
/// its data volume <c>airbyte_data</c>, and the tutorial's commit names all three <c>airbyte_*</c>).
/// </summary>
public sealed partial class ComposeFile
{
    private ComposeFile(string path, string project, IReadOnlyList<ComposeService> services, IReadOnlyDictionary<string, string> volumes,
        IReadOnlyDictionary<string, string> allVolumes, IReadOnlyList<string> networks)
    {
        Path = path;
        Project = project;
        Services = services;
        Volumes = volumes;
        _allVolumes = allVolumes;
        Networks = networks;
    }

    private readonly IReadOnlyDictionary<string, string> _allVolumes;

    public string Path { get; }
    public string Project { get; }
    public IReadOnlyList<ComposeService> Services { get; }
    /// <summary>Volume key in the file → the volume's name on the engine.</summary>
    public IReadOnlyDictionary<string, string> Volumes { get; }
    /// <summary>Network names on the engine (the project's default network included).</summary>
    public IReadOnlyList<string> Networks { get; }

    /// <summary>A variable as compose reads it: the environment first, then the env file; null when neither sets it.</summary>
    public Func<string, string?> Variable { get; private init; } = _ => null;

    /// <summary>
    /// The basic-auth credentials of airbyte-proxy (0.40 on): BASIC_AUTH_USERNAME and BASIC_AUTH_PASSWORD of the env file;
    /// null when either is empty (the proxy then asks for none) or the deployment has no proxy (0.7 – 0.39).
    /// </summary>
    public System.Net.NetworkCredential? BasicAuth =>
        Variable("BASIC_AUTH_USERNAME") is { Length: > 0 } user && Variable("BASIC_AUTH_PASSWORD") is { Length: > 0 } password
            ? new System.Net.NetworkCredential(user, password)
            : null;

    public IEnumerable<string> BindMounts => Services.SelectMany(s => s.BindMounts).Distinct();

    public string ContainerNameOf(ComposeService service) => service.ContainerName ?? $"{Project}_{service.Name}_1";

    /// <summary>
    /// The volume behind CONFIG_ROOT: the named volume the server's service mounts at <paramref name="configRoot"/>, else
    /// the volume declared as <c>data</c> (Airbyte's key in every release).
    /// </summary>
    public string DataVolume(string serverContainer, string configRoot) =>
        TryDataVolume(serverContainer, configRoot)
        ?? throw new ComposeException($"Compose file '{Path}' mounts no named volume at {configRoot} in '{serverContainer}' and declares no volume 'data'; pass --data-volume with the volume behind CONFIG_ROOT.");

    /// <summary>
    /// The job workspace volume: the named volume the first of <paramref name="containers"/> (server, scheduler) mounts at
    /// WORKSPACE_ROOT, else the volume declared as <c>workspace</c>.
    /// </summary>
    public string WorkspaceVolume(IReadOnlyList<string> containers) =>
        TryWorkspaceVolume(containers)
        ?? throw new ComposeException($"Compose file '{Path}' mounts no named volume at WORKSPACE_ROOT in {string.Join(" or ", containers.Select(c => $"'{c}'"))} and declares no volume 'workspace'; pass --workspace-volume with the job workspace volume.");

    /// <summary>The volume behind CONFIG_ROOT, as <see cref="DataVolume"/> finds it, or null when the file names none.</summary>
    public string? TryDataVolume(string serverContainer, string configRoot) =>
        VolumeMountedAt([serverContainer], configRoot) ?? _allVolumes.GetValueOrDefault("data");

    /// <summary>The job workspace volume, as <see cref="WorkspaceVolume"/> finds it, or null when the file names none.</summary>
    public string? TryWorkspaceVolume(IReadOnlyList<string> containers) =>
        (Variable("WORKSPACE_ROOT") is { Length: > 0 } root ? VolumeMountedAt(containers, root) : null) ?? _allVolumes.GetValueOrDefault("workspace");

    private string? VolumeMountedAt(IReadOnlyList<string> containers, string target) =>
        containers.Select(c => Services.FirstOrDefault(s => (s.ContainerName ?? s.Name) == c))
            .SelectMany(s => s?.Mounts ?? [])
            .FirstOrDefault(m => m.Named && m.Target.TrimEnd('/') == target.TrimEnd('/'))?.Source;

    /// <summary>The project name as docker-compose 1.29 uses it: lower case, only [-_a-z0-9].</summary>
    public static string NormalizeProject(string project) => ProjectCharacters().Replace(project.ToLowerInvariant(), "");

    public static ComposeFile Load(string path, string project, string? envFile = null, Func<string, string?>? environment = null)
    {
        if (!File.Exists(path)) throw new ComposeException($"Compose file '{path}' does not exist; pass --compose-file with the path of your docker-compose.yaml.");
        environment ??= Environment.GetEnvironmentVariable;
        project = NormalizeProject(project);
        var prefix = project.TrimStart('-', '_');
        var variables = ReadEnvFile(envFile ?? System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!, ".env"), envFile is not null);
        string Interpolate(string text) => VariablePattern().Replace(text, m =>
        {
            var name = m.Groups["name"].Value;
            var value = environment(name) ?? variables.GetValueOrDefault(name);
            return string.IsNullOrEmpty(value) ? m.Groups["default"].Value : value;
        });

        YamlMappingNode root;
        try
        {
            var stream = new YamlStream();
            using var reader = new StreamReader(path);
            stream.Load(reader);
            root = stream.Documents.FirstOrDefault()?.RootNode as YamlMappingNode
                ?? throw new ComposeException($"Compose file '{path}' is empty or not a mapping.");
        }
        catch (InvalidOperationException ex)
        {
            // YamlDotNet's scanner throws this (not a YamlException) on some unterminated flow collections.
            throw new ComposeException($"Compose file '{path}' does not parse: an unclosed bracket, brace or quote runs to the end of the file (line unknown).", ex);
        }
        catch (YamlException ex)
        {
            throw new ComposeException($"Compose file '{path}' does not parse: line {ex.Start.Line}, column {ex.Start.Column}: {ex.Message.Split('\n')[0]}", ex);
        }

        var volumes = new Dictionary<string, string>();
        var allVolumes = new Dictionary<string, string>();
        if (Child(root, "volumes") is YamlMappingNode volumeNodes)
            foreach (var (key, value) in volumeNodes.Children)
            {
                var k = ((YamlScalarNode)key).Value!;
                var vm = value as YamlMappingNode;
                var external = vm is not null && Child(vm, "external") is { } e && (e is YamlMappingNode || (e as YamlScalarNode)?.Value == "true");
                // An external volume is named by external.name (compose file 3.0–3.3), else name, else its key; never prefixed.
                var name = vm is not null && Child(vm, "external") is YamlMappingNode em && Scalar(em, "name") is { } externalName ? Interpolate(externalName)
                    : vm is not null && Scalar(vm, "name") is { } explicitName ? Interpolate(explicitName)
                    : external ? k : $"{prefix}_{k}";
                allVolumes[k] = name;
                if (!external) volumes[k] = name; // external volumes are never removed
            }

        var networks = new List<string> { $"{project}_default" };
        if (Child(root, "networks") is YamlMappingNode networkNodes)
            foreach (var (key, value) in networkNodes.Children)
            {
                var k = ((YamlScalarNode)key).Value!;
                if (value is YamlMappingNode nm && Scalar(nm, "external") == "true") continue;
                var name = value is YamlMappingNode m && Scalar(m, "name") is { } n ? Interpolate(n) : $"{project}_{k}";
                if (!networks.Contains(name)) networks.Add(name);
            }

        var services = new List<ComposeService>();
        if (Child(root, "services") is not YamlMappingNode serviceNodes)
            throw new ComposeException($"Compose file '{path}' has no services.");
        foreach (var (key, value) in serviceNodes.Children)
        {
            var name = ((YamlScalarNode)key).Value!;
            var node = value as YamlMappingNode ?? new YamlMappingNode();
            var named = new List<string>();
            var binds = new List<string>();
            var serviceMounts = new List<ComposeMount>();
            if (Child(node, "volumes") is YamlSequenceNode mounts)
                foreach (var mount in mounts.Children)
                {
                    var parts = mount is YamlScalarNode s ? Interpolate(s.Value!).Split(':') : [];
                    var source = mount is YamlScalarNode ? parts[0]
                        : mount is YamlMappingNode mm ? Interpolate(Scalar(mm, "source") ?? "") : "";
                    var target = mount is YamlScalarNode ? (parts.Length > 1 ? parts[1] : "")
                        : mount is YamlMappingNode mt ? Interpolate(Scalar(mt, "target") ?? "") : "";
                    if (source.Length == 0) continue;
                    if (source.StartsWith('/') || source.StartsWith('.') || source.StartsWith('~'))
                    {
                        binds.Add(source);
                        serviceMounts.Add(new ComposeMount(source, target, Named: false));
                    }
                    else
                    {
                        named.Add(volumes.GetValueOrDefault(source, source));
                        serviceMounts.Add(new ComposeMount(allVolumes.GetValueOrDefault(source, source), target, Named: true));
                    }
                }
            var ports = Child(node, "ports") is YamlSequenceNode portNodes
                ? portNodes.Children.OfType<YamlScalarNode>().Select(p => Interpolate(p.Value!)).ToList()
                : [];
            services.Add(new ComposeService(
                name,
                Scalar(node, "container_name") is { } c ? Interpolate(c) : null,
                Scalar(node, "image") is { } i ? Interpolate(i) : null,
                Child(node, "healthcheck") is YamlMappingNode hc && Scalar(hc, "disable") != "true",
                named,
                binds,
                ports,
                serviceMounts)
            {
                StopGracePeriod = Scalar(node, "stop_grace_period") is { } grace ? Duration(Interpolate(grace), path, name) : TimeSpan.FromSeconds(10),
            });
        }
        return new ComposeFile(System.IO.Path.GetFullPath(path), project, services, volumes, allVolumes, networks)
        {
            Variable = name => environment(name) ?? variables.GetValueOrDefault(name),
        };
    }

    /// <summary>A compose duration (<c>1m30s</c>, <c>10s</c>, <c>500ms</c>, <c>1.5s</c>), as <c>stop_grace_period</c> takes it.</summary>
    internal static TimeSpan Duration(string text, string path, string service)
    {
        var parts = DurationPart().Matches(text.Trim());
        if (parts.Count == 0 || string.Concat(parts.Select(p => p.Value)) != text.Trim())
            throw new ComposeException($"Compose file '{path}': service '{service}' has stop_grace_period '{text}', which is not a duration (write it like 10s, 1m30s or 500ms).");
        var total = TimeSpan.Zero;
        foreach (Match part in parts)
        {
            var value = double.Parse(part.Groups["value"].Value, System.Globalization.CultureInfo.InvariantCulture);
            total += part.Groups["unit"].Value switch
            {
                "h" => TimeSpan.FromHours(value),
                "m" => TimeSpan.FromMinutes(value),
                "s" => TimeSpan.FromSeconds(value),
                "ms" => TimeSpan.FromMilliseconds(value),
                "us" => TimeSpan.FromMicroseconds(value),
                _ => TimeSpan.FromTicks((long)(value / 100)), // ns
            };
        }
        return total;
    }

    private static YamlNode? Child(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

    private static string? Scalar(YamlMappingNode node, string key) => (Child(node, key) as YamlScalarNode)?.Value;

    private static Dictionary<string, string> ReadEnvFile(string path, bool required)
    {
        var result = new Dictionary<string, string>();
        if (!File.Exists(path))
        {
            if (required) throw new ComposeException($"Env file '{path}' does not exist.");
            return result;
        }
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var eq = line.IndexOf('=');
            if (eq > 0) result[line[..eq].Trim()] = line[(eq + 1)..].Trim().Trim('"');
        }
        return result;
    }

    [GeneratedRegex(@"\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(?::?-(?<default>[^}]*))?\}")]
    private static partial Regex VariablePattern();

    [GeneratedRegex(@"(?<value>[0-9]+(\.[0-9]+)?)(?<unit>ms|us|ns|h|m|s)")]
    private static partial Regex DurationPart();

    [GeneratedRegex("[^-_a-z0-9]")]
    private static partial Regex ProjectCharacters();
}
