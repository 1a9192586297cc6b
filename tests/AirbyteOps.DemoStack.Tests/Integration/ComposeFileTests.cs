using System.Diagnostics;
using AirbyteOps.DemoStack.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace AirbyteOps.DemoStack.Tests.Integration;

/// <summary>The compose file as docker-compose 1.29 resolves it (docker-compose config: nothing is started).</summary>
public sealed class ComposeFileTests
{
    [Fact]
    public async Task Compose_resolves_the_airbyte_0_7_names_and_publishes_only_on_localhost()
    {
        var root = await ConfigAsync(new Dictionary<string, string?> { ["LOCAL_DOCKER_MOUNT"] = null });

        var services = (YamlMappingNode)root["services"];
        var names = services.Children.ToDictionary(s => ((YamlScalarNode)s.Key).Value!, s => ((YamlScalarNode)((YamlMappingNode)s.Value)["container_name"]).Value);
        Assert.Equal(new Dictionary<string, string?>
        {
            ["init"] = "init", ["db"] = "airbyte-db", ["seed"] = "airbyte-data-seed", ["scheduler"] = "airbyte-scheduler", ["server"] = "airbyte-server", ["webapp"] = "airbyte-webapp",
        }, names);
        Assert.Equal(["airbyte_data", "airbyte_db", "airbyte_workspace"], ((YamlMappingNode)root["volumes"]).Children.Values.Select(v => ((YamlScalarNode)((YamlMappingNode)v)["name"]).Value!).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal("airbyte_default", ((YamlScalarNode)((YamlMappingNode)((YamlMappingNode)root["networks"])["default"])["name"]).Value);
        Assert.Equal("127.0.0.1:8001:8001/tcp", Ports(services, "server"));
        Assert.Equal("127.0.0.1:8000:80/tcp", Ports(services, "webapp"));
        Assert.All(new[] { "init", "db", "seed", "scheduler" }, s => Assert.False(((YamlMappingNode)services[s]).Children.ContainsKey("ports"), $"{s} publishes a port"));
        var server = Environment(services, "server");
        Assert.Equal("/data", server["CONFIG_ROOT"]);
        Assert.Equal("/tmp/workspace", server["WORKSPACE_ROOT"]);
        Assert.Equal("/tmp/airbyte_local", server["LOCAL_ROOT"]);
        Assert.Equal("docker", server["DATABASE_USER"]);
        Assert.Equal("docker", server["DATABASE_PASSWORD"]);
        Assert.Equal("airbyte", server["DATABASE_DB"]);
        Assert.Contains("/tmp/airbyte_local:/tmp/airbyte_local:rw", Volumes(services, "scheduler"));
        Assert.All(services.Children.Values, s => Assert.StartsWith("airbyteops/", ((YamlScalarNode)((YamlMappingNode)s)["image"]).Value, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_host_folder_of_the_local_mount_can_be_overridden_from_the_environment()
    {
        var root = await ConfigAsync(new Dictionary<string, string?> { ["LOCAL_DOCKER_MOUNT"] = "/srv/abops-test-local" });

        var services = (YamlMappingNode)root["services"];

        Assert.Contains("/srv/abops-test-local:/tmp/airbyte_local:rw", Volumes(services, "scheduler"));
        Assert.Equal("/srv/abops-test-local", Environment(services, "scheduler")["LOCAL_DOCKER_MOUNT"]);
    }

    /// <summary>docker-compose 1.29 prints ports in the short form, host_ip:published:target/protocol.</summary>
    private static string? Ports(YamlMappingNode services, string service) =>
        ((YamlScalarNode)((YamlSequenceNode)((YamlMappingNode)services[service])["ports"]).Children.Single()).Value;

    private static Dictionary<string, string?> Environment(YamlMappingNode services, string service) =>
        ((YamlMappingNode)((YamlMappingNode)services[service])["environment"]).Children.ToDictionary(e => ((YamlScalarNode)e.Key).Value!, e => ((YamlScalarNode)e.Value).Value);

    private static List<string?> Volumes(YamlMappingNode services, string service) =>
        ((YamlSequenceNode)((YamlMappingNode)services[service])["volumes"]).Children.Select(v => ((YamlScalarNode)v).Value).ToList();

    private static async Task<YamlMappingNode> ConfigAsync(IReadOnlyDictionary<string, string?> environment)
    {
        var start = new ProcessStartInfo("docker-compose") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = DemoStackPaths.DemoStack };
        foreach (var argument in new[] { "-f", Path.Combine(DemoStackPaths.DemoStack, "docker-compose.yaml"), "config" }) start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment)
        {
            if (value is null) start.Environment.Remove(key);
            else start.Environment[key] = value;
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"docker-compose config failed: {await stderr}");
        var yaml = new YamlStream();
        yaml.Load(new StringReader(await stdout));
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }
}
