using System.Formats.Tar;
using AirbyteOps.Docker;
using ContainerSpec = AirbyteOps.Docker.ContainerSpec;
using Npgsql;

namespace AirbyteOps.DemoStack.Tests.Support;

/// <summary>
/// The demo stack's containers, started from the local images with names unique to one test run
/// (abops-test-ds-&lt;id&gt;-*): own network, own volumes, own local folder, ports on 127.0.0.1 only, plus
/// optionally the webapp and a destination Postgres on the host. Disposing removes everything it made.
/// </summary>
public sealed class ContainerStack : IAsyncDisposable
{
    public const string Version = "0.7.1-alpha";
    private static readonly string[] Images =
    [
        $"airbyteops/airbyte-db:{Version}", $"airbyteops/airbyte-seed:{Version}", $"airbyteops/airbyte-server:{Version}",
        $"airbyteops/airbyte-scheduler:{Version}", $"airbyteops/airbyte-webapp:{Version}", TestImages.Postgres, TestImages.Busybox,
    ];

    private readonly List<string> _containers = [];
    private readonly List<string> _volumes = [];
    private readonly TempDirectory _local = new("abops-test-ds-local-");

    private ContainerStack()
    {
        Prefix = "abops-test-ds-" + Guid.NewGuid().ToString("N")[..8];
        Engine = DockerEngine.Connect();
    }

    public string Prefix { get; }
    public DockerEngine Engine { get; }
    public string Network => Prefix + "-net";
    public string WorkspaceVolume => Prefix + "-workspace";
    public string DataVolume => Prefix + "-data";
    public string DbVolume => Prefix + "-db";
    public string Server => Prefix + "-server";
    public string Db => Prefix + "-db";
    public string LocalDirectory => _local.Path;
    public string WorkerPrefix => Prefix + "-worker";
    public int ServerPort { get; } = TestNames.FreePort();

    /// <summary>airbyte-db published on 127.0.0.1 (test only: the real compose does not publish it) so tests read jobs and attempts.</summary>
    public int DbPort { get; } = TestNames.FreePort();
    public int WebappPort { get; private set; }
    public int DestinationPort { get; private set; }
    public string DestinationPassword { get; } = "pw-" + Guid.NewGuid().ToString("N")[..12];
    public ApiClient Api { get; private set; } = null!;

    public static async Task<ContainerStack> StartAsync(bool webapp = false, bool destination = false)
    {
        var stack = new ContainerStack();
        try
        {
            await stack.StartCoreAsync(webapp, destination);
            return stack;
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    /// <summary>Fails with the fix when an image is missing (the Test target builds them first).</summary>
    public static async Task RequireImagesAsync(DockerEngine engine)
    {
        foreach (var image in Images)
            if (await engine.Images.FindAsync(image) is null)
                throw new InvalidOperationException($"Image '{image}' is not present: run ./build.sh Images (the Test target builds all local images before tests).");
    }

    private async Task StartCoreAsync(bool webapp, bool destination)
    {
        await RequireImagesAsync(Engine);
        await Engine.Networks.CreateAsync(Network, new Dictionary<string, string> { [Labels.Managed] = "true" });
        foreach (var volume in new[] { WorkspaceVolume, DataVolume, DbVolume })
        {
            await Engine.Volumes.CreateAsync(volume, new Dictionary<string, string> { [Labels.Managed] = "true" });
            _volumes.Add(volume);
        }
        await StartDatabaseAsync();
        // As compose does with airbyte-data-seed: Docker fills the empty data volume from the image when it is mounted.
        await RunToEndAsync(new ContainerSpec(Prefix + "-seed", $"airbyteops/airbyte-seed:{Version}") { Mounts = [new VolumeMount(DataVolume, "/app/seed")], NetworkMode = "none" });
        var database = new Dictionary<string, string>
        {
            ["DATABASE_USER"] = "docker",
            ["DATABASE_PASSWORD"] = "docker",
            ["DATABASE_DB"] = "airbyte",
            ["DATABASE_URL"] = $"jdbc:postgresql://{Db}:5432/airbyte",
            ["CONFIG_ROOT"] = "/data",
            ["WORKSPACE_ROOT"] = "/tmp/workspace",
            ["LOCAL_ROOT"] = "/tmp/airbyte_local",
            ["AIRBYTE_VERSION"] = Version,
        };
        await StartAsync(new ContainerSpec(Server, $"airbyteops/airbyte-server:{Version}")
        {
            Environment = database,
            Mounts = [new VolumeMount(WorkspaceVolume, "/tmp/workspace"), new VolumeMount(DataVolume, "/data")],
            Ports = [new PortMapping(ServerPort, 8001)],
            NetworkMode = Network,
        });
        await StartAsync(new ContainerSpec(Prefix + "-scheduler", $"airbyteops/airbyte-scheduler:{Version}")
        {
            Environment = new Dictionary<string, string>(database)
            {
                ["WORKSPACE_DOCKER_MOUNT"] = WorkspaceVolume,
                ["LOCAL_DOCKER_MOUNT"] = LocalDirectory,
                ["WORKER_IMAGE"] = $"airbyteops/airbyte-scheduler:{Version}",
                ["WORKER_NAME_PREFIX"] = WorkerPrefix,
            },
            Mounts = [new VolumeMount("/var/run/docker.sock", "/var/run/docker.sock"), new VolumeMount(WorkspaceVolume, "/tmp/workspace"), new VolumeMount(LocalDirectory, "/tmp/airbyte_local"), new VolumeMount(DataVolume, "/data")],
            NetworkMode = Network,
        });
        if (webapp)
        {
            WebappPort = TestNames.FreePort();
            await StartAsync(new ContainerSpec(Prefix + "-webapp", $"airbyteops/airbyte-webapp:{Version}")
            {
                Environment = new Dictionary<string, string> { ["AIRBYTE_SERVER_URL"] = $"http://{Server}:8001" },
                Ports = [new PortMapping(WebappPort, 80)],
                NetworkMode = Network,
            });
        }
        if (destination)
        {
            DestinationPort = TestNames.FreePort();
            await StartAsync(new ContainerSpec(Prefix + "-destination", TestImages.Postgres)
            {
                Environment = new Dictionary<string, string> { ["POSTGRES_PASSWORD"] = DestinationPassword },
                Ports = [new PortMapping(DestinationPort, 5432)],
            });
            await Readiness.WaitUntilAsync("the destination Postgres to answer a query", async ct =>
            {
                await using var connection = new NpgsqlConnection(DestinationConnectionString);
                await connection.OpenAsync(ct);
                await using var command = new NpgsqlCommand("SELECT 1", connection);
                return (int)(await command.ExecuteScalarAsync(ct))! == 1;
            }, TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(500));
        }
        Api = new ApiClient($"http://127.0.0.1:{ServerPort}");
        await Readiness.WaitUntilAsync("the server to report {\"db\": true}", _ => Api.HealthAsync(), TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(500));
        await WaitForJobsDatabaseAsync();
    }

    public string DestinationConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1", Port = DestinationPort, Username = "postgres", Password = DestinationPassword, Database = "postgres", Pooling = false, Timeout = 5,
    }.ConnectionString;

    public string JobsConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1", Port = DbPort, Username = "docker", Password = "docker", Database = "airbyte", Pooling = false, Timeout = 5,
    }.ConnectionString;

    /// <summary>
    /// Publishes <paramref name="days"/> more days of exchange rates, after the newest date the stand-in exchange-rates
    /// source serves (built-in data and earlier additions): appends them to the extra rows file in the stack's local
    /// folder (the worker's /local), as a test adds rows to the source between syncs. Returns the added dates.
    /// </summary>
    public async Task<IReadOnlyList<string>> AddExchangeRatesAsync(int days)
    {
        var file = Path.Combine(LocalDirectory, AirbyteOps.StandIns.DemoStack.Worker.StandInDatasets.ExchangeRateExtraRowsPath);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var builtIn = Path.Combine(AirbyteOps.StandIns.DemoStack.Worker.StandInDatasets.DataDirectory, "exchange_rate.jsonl");
        var lines = (await File.ReadAllLinesAsync(builtIn)).Concat(File.Exists(file) ? await File.ReadAllLinesAsync(file) : []).Where(l => l.Trim().Length > 0).ToList();
        var last = System.Text.Json.Nodes.JsonNode.Parse(lines.MaxBy(l => System.Text.Json.Nodes.JsonNode.Parse(l)!["date"]!.GetValue<string>(), StringComparer.Ordinal)!)!.AsObject();
        var newest = DateOnly.Parse(last["date"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        var added = new List<string>();
        var text = new System.Text.StringBuilder();
        for (var i = 1; i <= days; i++)
        {
            var row = last.DeepClone().AsObject();
            var date = newest.AddDays(i).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            row["date"] = date;
            row["USD"] = 1.2 + i / 1000.0;
            text.Append(row.ToJsonString()).Append('\n');
            added.Add(date);
        }
        await File.AppendAllTextAsync(file, text.ToString());
        return added;
    }

    /// <summary>Like a wipe of the airbyte_db volume: a new jobs database from the airbyte-db image's init script.</summary>
    public async Task RecreateDatabaseAsync()
    {
        await Engine.Containers.RemoveAsync(Db, force: true);
        _containers.Remove(Db);
        await Engine.Volumes.RemoveAsync(DbVolume);
        await Engine.Volumes.CreateAsync(DbVolume, new Dictionary<string, string> { [Labels.Managed] = "true" });
        await StartDatabaseAsync();
        await WaitForJobsDatabaseAsync();
    }

    /// <summary>The files under a path of the server container (the workspace volume is at /tmp/workspace), by path relative to it.</summary>
    public async Task<IReadOnlyDictionary<string, string>> ReadTreeAsync(string path)
    {
        var files = new Dictionary<string, string>();
        await using var tar = await Engine.Containers.CopyOutAsync(Server, path);
        using var reader = new TarReader(tar);
        var root = Path.GetFileName(path.TrimEnd('/')) + "/";
        while (await reader.GetNextEntryAsync(copyData: true) is { } entry)
        {
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null) continue;
            using var text = new StreamReader(entry.DataStream);
            var name = entry.Name.StartsWith(root, StringComparison.Ordinal) ? entry.Name[root.Length..] : entry.Name;
            files[name] = await text.ReadToEndAsync();
        }
        return files;
    }

    /// <summary>Copies one file into a folder of the server container, like the tutorial's docker cp restore.</summary>
    public async Task CopyFileIntoServerAsync(string directory, string name, string content)
    {
        using var buffer = new MemoryStream();
        await using (var writer = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true))
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content)), Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead };
            await writer.WriteEntryAsync(entry);
        }
        buffer.Position = 0;
        await Engine.Containers.CopyInAsync(Server, directory, buffer);
    }

    private async Task StartDatabaseAsync() => await StartAsync(new ContainerSpec(Db, $"airbyteops/airbyte-db:{Version}")
    {
        Environment = new Dictionary<string, string> { ["POSTGRES_USER"] = "docker", ["POSTGRES_PASSWORD"] = "docker", ["POSTGRES_DB"] = "airbyte" },
        Mounts = [new VolumeMount(DbVolume, "/var/lib/postgresql/data")],
        Ports = [new PortMapping(DbPort, 5432)],
        NetworkMode = Network,
    });

    /// <summary>jobs/get of an unknown job answers 404 once airbyte-db answers, 500 while it does not.</summary>
    private Task WaitForJobsDatabaseAsync() =>
        Readiness.WaitUntilAsync("the jobs database behind the server", async _ =>
            (await Api.TryPostAsync("jobs/get", new System.Text.Json.Nodes.JsonObject { ["id"] = long.MaxValue })).Status == System.Net.HttpStatusCode.NotFound,
            TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(500));

    private async Task StartAsync(ContainerSpec spec)
    {
        _containers.Add(spec.Name);
        await Engine.Containers.CreateAsync(spec with { Labels = new Dictionary<string, string> { [Labels.Managed] = "true", [Labels.Role] = "demo-stack-test" } });
        await Engine.Containers.StartAsync(spec.Name);
    }

    private async Task RunToEndAsync(ContainerSpec spec)
    {
        await StartAsync(spec);
        var code = await Engine.Containers.WaitAsync(spec.Name);
        Assert.True(code == 0, $"{spec.Name} exited with {code}");
    }

    public async ValueTask DisposeAsync()
    {
        Api?.Dispose();
        foreach (var worker in await Engine.Containers.ListAsync([$"org.airbyteops.demo-stack.worker-prefix={WorkerPrefix}"]))
            await Engine.Containers.RemoveAsync(worker.Id, force: true);
        foreach (var container in Enumerable.Reverse(_containers))
            await Engine.Containers.RemoveAsync(container, force: true);
        foreach (var volume in _volumes)
            await Engine.Volumes.RemoveAsync(volume);
        await Engine.Networks.RemoveAsync(Network);
        _local.Dispose();
        Engine.Dispose();
    }
}
