using System.Security.Cryptography;
using AirbyteOps.Docker;
using AirbyteOps.Trees;
using AirbyteOps.Setups.Export;
using AirbyteOps.Setups.Restore;
using AirbyteOps.Setups.Secrets;
using AirbyteOps.Setups.Trees;

namespace AirbyteOps.TestSupport;

/// <summary>
/// A throw-away deployment on the real engine: a uniquely named data volume and a busybox container that plays the
/// server (mounting it at /data, like airbyte-server; created only, or running a sleep), plus an artifacts folder.
/// Everything is removed on dispose, leftovers of killed operations included; nothing else is touched.
/// </summary>
public sealed class TestDeployment : IAsyncDisposable
{
    public const string ConfigRoot = "/data";
    public const string AirbyteVersion = "0.7.1-alpha";

    private TestDeployment(DockerEngine engine, string id)
    {
        Engine = engine;
        Volume = $"{TestNames.Prefix}{id}-data";
        Server = $"{TestNames.Prefix}{id}-server";
        Artifacts = Path.Combine(Path.GetTempPath(), $"{TestNames.Prefix}{id}-artifacts");
    }

    /// <summary>The real engine, never cut: the tests' own view of what is on it.</summary>
    public DockerEngine Engine { get; }
    public string Volume { get; }
    public string Server { get; }
    /// <summary>A fresh artifacts folder for this test.</summary>
    public string Artifacts { get; }
    public string Setups => Path.Combine(Artifacts, "setups");

    public static async Task<TestDeployment> CreateAsync(DockerEngine engine, bool running = false, string? airbyteVersion = AirbyteVersion, bool withServer = true)
    {
        var deployment = new TestDeployment(engine, TestNames.Id());
        Directory.CreateDirectory(deployment.Artifacts);
        await engine.Volumes.CreateAsync(deployment.Volume, ManagedLabels());
        if (withServer) await deployment.CreateServerAsync(running, airbyteVersion);
        return deployment;
    }

    public async Task CreateServerAsync(bool running, string? airbyteVersion)
    {
        var environment = new Dictionary<string, string> { ["CONFIG_ROOT"] = ConfigRoot };
        if (airbyteVersion is not null) environment["AIRBYTE_VERSION"] = airbyteVersion;
        await Engine.Containers.CreateAsync(new ContainerSpec(Server, TestImages.Busybox)
        {
            Command = ["sleep", "3600"],
            Mounts = [new VolumeMount(Volume, ConfigRoot)],
            Environment = environment,
            NetworkMode = "none",
            Labels = ManagedLabels(),
        });
        if (running) await Engine.Containers.StartAsync(Server);
    }

    public async Task RemoveServerAsync() => await Engine.Containers.RemoveAsync(Server, force: true);

    public async Task<bool> ServerRunningAsync() => (await Engine.Containers.FindAsync(Server))?.IsRunning == true;

    public ExportOptions Export(string setup = "my-setup") => ExportOptionsFor(setup, Artifacts, Server, Volume);

    public RestoreOptions Restore(string setup = "my-setup") => RestoreOptionsFor(setup, Artifacts, Server, Volume);

    /// <summary>
    /// ExportSetup's options as the tests use them: busybox helper, secrets in a sidecar, a folder, no overwrite; the schema
    /// check is off for the same reason as in <see cref="RestoreOptionsFor"/> (the test server says it runs 0.7.1-alpha, and
    /// the made-up trees are not Airbyte's); ExportConfigCheckTests export with it on.
    /// </summary>
    public static ExportOptions ExportOptionsFor(string setup, string artifacts, string server, string volume) => new()
    {
        SkipConfigCheck = true,
        ConfigRoot = ConfigRoot, HelperImage = TestImages.Busybox, SecretsMode = SecretsMode.Sidecar, ExtraSecretKeys = [], Archive = false, Overwrite = false,
        Setup = setup, ArtifactsDirectory = artifacts, ServerContainer = server, DataVolume = volume,
    };

    /// <summary>
    /// RestoreSetup's options as the restore-mechanics tests use them: busybox helper, version checked, secrets required.
    /// Their trees are made up to stress bytes, names, modes and links (an empty STANDARD_SYNC file, a name with a newline),
    /// which Airbyte's schemas would refuse, so the schema check is off here; ConfigTreeValidationTests and the demo stack's
    /// tests restore with it on.
    /// </summary>
    public static RestoreOptions RestoreOptionsFor(string setup, string artifacts, string server, string volume) => new()
    {
        SkipConfigCheck = true,
        ConfigRoot = ConfigRoot, HelperImage = TestImages.Busybox, ForceVersion = false, AllowMissingSecrets = false, HealthTimeout = TimeSpan.FromMinutes(2),
        Setup = setup, ArtifactsDirectory = artifacts, ServerContainer = server, DataVolume = volume, StepTimeout = TimeSpan.FromMinutes(1),
    };

    /// <summary>Copies a tar stream into the volume's root.</summary>
    public async Task CopyInAsync(Stream tar)
    {
        await using var volume = await Engine.Volumes.OpenAsync(Volume, TestImages.Busybox);
        await volume.CopyInAsync("", tar);
    }

    /// <summary>Deletes a path (relative to the volume's root) inside the volume.</summary>
    public async Task DeleteAsync(string path)
    {
        var spec = new ContainerSpec(TestNames.Unique("wipe"), TestImages.Busybox)
        {
            Command = ["rm", "-rf", $"/volume/{path}"], Mounts = [new VolumeMount(Volume, "/volume")], NetworkMode = "none",
        };
        Assert.Equal(0, await Engine.RunAsync(spec, _ => { }, TimeSpan.FromMinutes(1)));
    }

    /// <summary>Removes the server and empties the volume, as WipeVolumes would leave a new one.</summary>
    public async Task WipeAsync()
    {
        await Engine.Containers.RemoveAsync(Server, force: true);
        await Engine.Volumes.RemoveAsync(Volume);
        await Engine.Volumes.CreateAsync(Volume, ManagedLabels());
    }

    /// <summary>
    /// The volume's tree exactly as "docker cp" sees it (the archive endpoint), through the real engine: paths, kinds,
    /// modes, owners, sizes, SHA-256 and link targets; the restore's work area is included when asked, so a leftover shows.
    /// </summary>
    public async Task<IReadOnlyList<TreeEntry>> ListAsync(bool includeWorkArea = false)
    {
        await using var volume = await Engine.Volumes.OpenAsync(Volume, TestImages.Busybox, readOnly: true);
        await using var tar = await volume.CopyOutAsync("");
        var entries = new List<TreeEntry>();
        // The product's own reader: TarReader refuses the engine's PAX record of a long name holding a newline.
        await TarTree.ReadAsync(tar, $"volume '{Volume}'", async (e, body) =>
        {
            if (TarTree.StripFirst(e.Name) is not { } path) return;
            if (!includeWorkArea && path.StartsWith(".airbyteops-restore", StringComparison.Ordinal)) return;
            string? sha = null;
            if (body is not null && e.Size > 0) // as before: an empty file has no hash
            {
                using var memory = new MemoryStream();
                await body.CopyToAsync(memory);
                sha = Convert.ToHexStringLower(SHA256.HashData(memory.ToArray()));
            }
            entries.Add(new TreeEntry(path, e.Kind, e.Mode, e.Uid, e.Gid, e.Size, sha, string.IsNullOrEmpty(e.LinkTarget) ? null : e.LinkTarget));
        });
        return entries.OrderBy(x => x.Path, StringComparer.Ordinal).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        await Engine.Containers.RemoveAsync(Server, force: true);
        // An operation cut or killed mid-way leaves its volume-access or helper container behind (it never reached its own cleanup).
        foreach (var leftover in await Engine.Containers.ListAsync([Labels.Managed]))
            if (leftover.Mounts.Any(m => m.Name == Volume)) await Engine.Containers.RemoveAsync(leftover.Id, force: true);
        await Engine.Volumes.RemoveAsync(Volume);
        if (Directory.Exists(Artifacts)) Directory.Delete(Artifacts, recursive: true);
    }

    private static Dictionary<string, string> ManagedLabels() => new() { [Labels.Managed] = "true" };
}
