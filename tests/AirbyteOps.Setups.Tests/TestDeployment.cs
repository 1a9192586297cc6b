using AirbyteOps.Docker;

namespace AirbyteOps.Setups.Tests;

/// <summary>
/// A throw-away "deployment": a uniquely named data volume and a busybox container mounting it at /data that plays
/// the server (created only, or running a sleep). Removed on dispose, with nothing else touched.
/// </summary>
public sealed class TestDeployment : IAsyncDisposable
{
    public const string Busybox = "airbyteops/busybox:latest";

    private TestDeployment(DockerEngine engine, string id, string artifacts)
    {
        Engine = engine;
        Volume = $"abops-test-{id}-data";
        Server = $"abops-test-{id}-server";
        Artifacts = artifacts;
    }

    public DockerEngine Engine { get; }
    public string Volume { get; }
    public string Server { get; }
    /// <summary>A fresh artifacts folder for this test.</summary>
    public string Artifacts { get; }

    public static async Task<TestDeployment> CreateAsync(DockerEngine engine, bool running = false, string? airbyteVersion = "0.7.1-alpha", bool withServer = true)
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var artifacts = Path.Combine(Path.GetTempPath(), $"abops-test-{id}-artifacts");
        Directory.CreateDirectory(artifacts);
        var deployment = new TestDeployment(engine, id, artifacts);
        await engine.Volumes.CreateAsync(deployment.Volume, new Dictionary<string, string> { [Labels.Managed] = "true" });
        if (withServer) await deployment.CreateServerAsync(running, airbyteVersion);
        return deployment;
    }

    public async Task CreateServerAsync(bool running, string? airbyteVersion)
    {
        var environment = new Dictionary<string, string> { ["CONFIG_ROOT"] = "/data" };
        if (airbyteVersion is not null) environment["AIRBYTE_VERSION"] = airbyteVersion;
        await Engine.Containers.CreateAsync(new ContainerSpec(Server, Busybox)
        {
            Command = ["sleep", "3600"],
            Mounts = [new VolumeMount(Volume, "/data")],
            Environment = environment,
            NetworkMode = "none",
            Labels = new Dictionary<string, string> { [Labels.Managed] = "true" },
        });
        if (running) await Engine.Containers.StartAsync(Server);
    }

    public async Task RemoveServerAsync() => await Engine.Containers.RemoveAsync(Server, force: true);

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

    /// <summary>Puts the sample tree (or another) into the volume.</summary>
    public async Task SeedAsync(IReadOnlyList<SampleTree.Item>? items = null)
    {
        await using var volume = await Engine.Volumes.OpenAsync(Volume, Busybox);
        using var tar = SampleTree.Tar(items ?? SampleTree.Items());
        await volume.CopyInAsync("", tar);
    }

    /// <summary>Empties the volume, as WipeVolumes would leave a new one.</summary>
    public async Task WipeAsync()
    {
        await Engine.Containers.RemoveAsync(Server, force: true);
        await Engine.Volumes.RemoveAsync(Volume);
        await Engine.Volumes.CreateAsync(Volume, new Dictionary<string, string> { [Labels.Managed] = "true" });
    }

    /// <summary>
    /// The volume's tree exactly as "docker cp" sees it (the archive endpoint): paths, kinds, modes, owners, sizes,
    /// SHA-256 and link targets, the restore's work area included so a leftover shows.
    /// </summary>
    public async Task<IReadOnlyList<TreeEntry>> ListAsync(bool includeWorkArea = false)
    {
        await using var volume = await Engine.Volumes.OpenAsync(Volume, Busybox, readOnly: true);
        await using var tar = await volume.CopyOutAsync("");
        var entries = new List<TreeEntry>();
        var reader = new System.Formats.Tar.TarReader(new BufferedStream(tar, 1 << 16));
        while (await reader.GetNextEntryAsync() is { } e)
        {
            var name = e.Name.TrimEnd('/');
            var slash = name.IndexOf('/');
            if (slash < 0) continue;
            var path = name[(slash + 1)..];
            if (!includeWorkArea && path.StartsWith(".airbyteops-restore", StringComparison.Ordinal)) continue;
            string? sha = null;
            if (e.DataStream is not null)
            {
                using var memory = new MemoryStream();
                await e.DataStream.CopyToAsync(memory);
                sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(memory.ToArray()));
            }
            var kind = e.EntryType switch
            {
                System.Formats.Tar.TarEntryType.Directory => EntryKind.Directory,
                System.Formats.Tar.TarEntryType.SymbolicLink => EntryKind.SymbolicLink,
                System.Formats.Tar.TarEntryType.HardLink => EntryKind.HardLink,
                _ => EntryKind.File,
            };
            entries.Add(new TreeEntry(path, kind, e.Mode, e.Uid, e.Gid, kind == EntryKind.File ? e.Length : 0, sha, string.IsNullOrEmpty(e.LinkName) ? null : e.LinkName));
        }
        return entries.OrderBy(x => x.Path, StringComparer.Ordinal).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        await Engine.Containers.RemoveAsync(Server, force: true);
        // A restore process a test killed leaves its volume-access container behind (it never reached its own cleanup).
        foreach (var leftover in await Engine.Containers.ListAsync([Labels.Managed]))
            if (leftover.Mounts.Any(m => m.Name == Volume)) await Engine.Containers.RemoveAsync(leftover.Id, force: true);
        await Engine.Volumes.RemoveAsync(Volume);
        if (Directory.Exists(Artifacts)) Directory.Delete(Artifacts, recursive: true);
    }
}
