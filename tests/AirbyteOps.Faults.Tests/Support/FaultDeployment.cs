using System.Formats.Tar;
using System.Security.Cryptography;
using AirbyteOps.Docker;
using AirbyteOps.Setups;

namespace AirbyteOps.Faults.Tests.Support;

/// <summary>
/// A throw-away deployment on the real engine: a uniquely named data volume and a busybox container that plays the
/// server (mounting it at /data, like airbyte-server), plus an artifacts folder. Everything is removed on dispose,
/// leftovers of killed operations included; nothing else is touched.
/// </summary>
public sealed class FaultDeployment : IAsyncDisposable
{
    private FaultDeployment(DockerEngine engine, string id)
    {
        Engine = engine;
        Volume = $"abops-test-{id}-data";
        Server = $"abops-test-{id}-server";
        Artifacts = Path.Combine(Path.GetTempPath(), $"abops-test-{id}-artifacts");
    }

    /// <summary>The real engine, never cut: the tests' own view of what is on it.</summary>
    public DockerEngine Engine { get; }
    public string Volume { get; }
    public string Server { get; }
    public string Artifacts { get; }
    public string Setups => Path.Combine(Artifacts, "setups");

    public static async Task<FaultDeployment> CreateAsync(DockerEngine engine, bool running, string label = "live")
    {
        var d = new FaultDeployment(engine, Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(d.Artifacts);
        await engine.Volumes.CreateAsync(d.Volume, new Dictionary<string, string> { [Labels.Managed] = "true" });
        await d.CreateServerAsync();
        if (running) await engine.Containers.StartAsync(d.Server);
        await d.SeedAsync(label);
        return d;
    }

    private async Task CreateServerAsync() =>
        await Engine.Containers.CreateAsync(new ContainerSpec(Server, Names.Busybox)
        {
            Command = ["sleep", "3600"],
            Mounts = [new VolumeMount(Volume, "/data")],
            Environment = new Dictionary<string, string> { ["CONFIG_ROOT"] = "/data", ["AIRBYTE_VERSION"] = "0.7.1-alpha" },
            NetworkMode = "none",
            Labels = new Dictionary<string, string> { [Labels.Managed] = "true" },
        });

    public ExportOptions Export(string setup = "my-setup") => new()
    {
        ConfigRoot = "/data", HelperImage = "airbyteops/busybox:latest", SecretsMode = AirbyteOps.Setups.Secrets.SecretsMode.Sidecar, ExtraSecretKeys = [], Archive = false, Overwrite = false,
        Setup = setup, ArtifactsDirectory = Artifacts, ServerContainer = Server, DataVolume = Volume,
    };

    public RestoreOptions Restore(string setup = "my-setup") => new()
    {
        ConfigRoot = "/data", HelperImage = "airbyteops/busybox:latest", ForceVersion = false, AllowMissingSecrets = false, HealthTimeout = TimeSpan.FromMinutes(2),
        Setup = setup, ArtifactsDirectory = Artifacts, ServerContainer = Server, DataVolume = Volume, StepTimeout = TimeSpan.FromMinutes(1),
    };

    /// <summary>Replaces config/ in the volume with the tree labelled <paramref name="label"/>.</summary>
    public async Task SeedAsync(string label)
    {
        await using var volume = await Engine.Volumes.OpenAsync(Volume, Names.Busybox);
        var spec = new ContainerSpec(Names.Unique("wipe"), Names.Busybox)
        {
            Command = ["rm", "-rf", "/volume/config"], Mounts = [new VolumeMount(Volume, "/volume")], NetworkMode = "none",
        };
        Assert.Equal(0, await Engine.RunAsync(spec, _ => { }, TimeSpan.FromMinutes(1)));
        using var tar = ConfigTree.Tar(ConfigTree.Items(label));
        await volume.CopyInAsync("", tar);
    }

    public async Task<bool> ServerRunningAsync() => (await Engine.Containers.FindAsync(Server))?.IsRunning == true;

    /// <summary>
    /// The volume exactly as "docker cp" sees it, through the real engine: every path with kind, mode, owner, size,
    /// SHA-256 and link target; the restore's work area is included when asked, so a leftover shows.
    /// </summary>
    public async Task<IReadOnlyList<string>> ListAsync(bool includeWorkArea = true)
    {
        await using var volume = await Engine.Volumes.OpenAsync(Volume, Names.Busybox, readOnly: true);
        await using var tar = await volume.CopyOutAsync("");
        var entries = new List<string>();
        var reader = new TarReader(new BufferedStream(tar, 1 << 16));
        while (await reader.GetNextEntryAsync() is { } e)
        {
            var name = e.Name.TrimEnd('/');
            var slash = name.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0) continue;
            var path = name[(slash + 1)..];
            if (!includeWorkArea && path.StartsWith(".airbyteops-restore", StringComparison.Ordinal)) continue;
            var sha = "";
            if (e.DataStream is not null)
            {
                using var memory = new MemoryStream();
                await e.DataStream.CopyToAsync(memory);
                sha = Convert.ToHexStringLower(SHA256.HashData(memory.ToArray()));
            }
            entries.Add($"{path} {e.EntryType} {Convert.ToString((int)e.Mode, 8)} {e.Uid}:{e.Gid} {sha} {e.LinkName}");
        }
        entries.Sort(StringComparer.Ordinal);
        return entries;
    }

    /// <summary>The label of the tree that is live in the volume (the name of its one STANDARD_SYNC file).</summary>
    public async Task<string> WorkspaceLabelAsync()
    {
        var listing = await ListAsync(includeWorkArea: false);
        var sync = listing.Select(l => l.Split(' ')[0]).Where(p => p.StartsWith("config/STANDARD_SYNC/", StringComparison.Ordinal) && p.EndsWith(".json", StringComparison.Ordinal)).ToList();
        return sync.Count == 1 ? Path.GetFileNameWithoutExtension(sync[0]) : $"({sync.Count} labels)";
    }

    public async ValueTask DisposeAsync()
    {
        await Engine.Containers.RemoveAsync(Server, force: true);
        // An operation cut or killed mid-way leaves its volume-access or helper container behind.
        foreach (var leftover in await Engine.Containers.ListAsync([Labels.Managed]))
            if (leftover.Mounts.Any(m => m.Name == Volume)) await Engine.Containers.RemoveAsync(leftover.Id, force: true);
        await Engine.Volumes.RemoveAsync(Volume);
        if (Directory.Exists(Artifacts)) Directory.Delete(Artifacts, recursive: true);
    }
}
