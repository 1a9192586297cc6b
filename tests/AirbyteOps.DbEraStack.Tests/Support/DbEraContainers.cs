using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using AirbyteOps.Docker;
using Npgsql;

namespace AirbyteOps.DbEraStack.Tests.Support;

/// <summary>
/// The database-era stand-in's containers from the local images, named for one test run (abops-test-dbera-&lt;id&gt;-*):
/// own network and database volume, airbyte-db's port and the proxy's API port published on free 127.0.0.1 ports. The
/// bootloader runs to its end before the server starts, as compose orders it. Disposing removes everything it made.
/// </summary>
public sealed class DbEraContainers : IAsyncDisposable
{
    public const string Version = "0.50.33";
    public const string BasicAuthUser = "airbyte";
    public const string BasicAuthPassword = "password";
    public static readonly string[] Images = [$"airbyteops/airbyte-db:{Version}", $"airbyteops/airbyte-bootloader:{Version}", $"airbyteops/airbyte-server:{Version}", $"airbyteops/airbyte-proxy:{Version}"];

    private readonly List<string> _containers = [];

    private DbEraContainers()
    {
        Prefix = "abops-test-dbera-" + TestNames.Id();
        Engine = DockerEngine.Connect();
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ProxyPort}/api/v1/"), Timeout = TimeSpan.FromSeconds(30) };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{BasicAuthUser}:{BasicAuthPassword}")));
    }

    public string Prefix { get; }
    public DockerEngine Engine { get; }
    public string Network => Prefix + "-net";
    public string DbVolume => Prefix + "-db";
    public string Db => Prefix + "-db";
    public string Server => Prefix + "-server";
    public string Proxy => Prefix + "-proxy";
    public int DbPort { get; } = TestNames.FreePort();
    public int ProxyPort { get; } = TestNames.FreePort();
    /// <summary>A client of the API through the proxy, with the .env's basic auth.</summary>
    public HttpClient Http { get; }

    public string ConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1", Port = DbPort, Username = "docker", Password = "docker", Database = "airbyte", Pooling = false, Timeout = 5,
    }.ConnectionString;

    public IReadOnlyDictionary<string, string> DatabaseEnvironment => new Dictionary<string, string>
    {
        ["AIRBYTE_VERSION"] = Version, ["DATABASE_USER"] = "docker", ["DATABASE_PASSWORD"] = "docker", ["DATABASE_URL"] = $"jdbc:postgresql://{Db}:5432/airbyte",
    };

    public static async Task<DbEraContainers> StartAsync()
    {
        var stack = new DbEraContainers();
        try
        {
            await stack.StartCoreAsync();
            return stack;
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    private async Task StartCoreAsync()
    {
        foreach (var image in Images)
            if (await Engine.Images.FindAsync(image) is null)
                throw new InvalidOperationException($"Image '{image}' is not present: run ./build.sh Images (the Test target builds all local images before tests).");
        await Engine.Networks.CreateAsync(Network, Managed);
        await UpAsync();
        await StartAsync(new ContainerSpec(Proxy, Images[3])
        {
            Environment = new Dictionary<string, string> { ["BASIC_AUTH_USERNAME"] = BasicAuthUser, ["BASIC_AUTH_PASSWORD"] = BasicAuthPassword, ["PROXY_PASS_API"] = $"http://{Server}:8001" },
            Ports = [new PortMapping(ProxyPort, 8001)],
            NetworkMode = Network,
        });
        await WaitHealthyAsync();
    }

    /// <summary>
    /// WipeVolumes then ComposeUp, for this stack: the server and the database removed with the database's volume, then a
    /// new empty database, the bootloader's fresh schema and seed, and the server (the proxy stays; it finds the new server by name).
    /// </summary>
    public async Task WipeAndUpAsync()
    {
        await Engine.Containers.RemoveAsync(Server, force: true);
        await Engine.Containers.RemoveAsync(Db, force: true);
        await Engine.Volumes.RemoveAsync(DbVolume);
        await UpAsync();
        await WaitHealthyAsync();
    }

    private async Task UpAsync()
    {
        await Engine.Volumes.CreateAsync(DbVolume, Managed);
        await StartAsync(new ContainerSpec(Db, Images[0])
        {
            Environment = new Dictionary<string, string> { ["POSTGRES_USER"] = "docker", ["POSTGRES_PASSWORD"] = "docker" },
            Mounts = [new VolumeMount(DbVolume, "/var/lib/postgresql/data")],
            Ports = [new PortMapping(DbPort, 5432)],
            NetworkMode = Network,
        });
        await Readiness.WaitUntilAsync("airbyte-db's database 'airbyte' to answer", async ct =>
        {
            try
            {
                await using var connection = new NpgsqlConnection(ConnectionString);
                await connection.OpenAsync(ct);
                return true;
            }
            catch (NpgsqlException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(300));
        var (exit, output) = await RunBootloaderAsync();
        if (exit != 0) throw new InvalidOperationException($"The bootloader exited {exit}: {string.Join(" | ", output)}");
        await StartAsync(new ContainerSpec(Server, Images[2]) { Environment = DatabaseEnvironment, NetworkMode = Network });
    }

    public async Task WaitHealthyAsync()
    {
        await Readiness.WaitUntilAsync("the server's health through the proxy", async ct =>
        {
            try
            {
                using var response = await Http.GetAsync("health", ct);
                return response.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(300));
    }

    /// <summary>Runs the bootloader image once against the database (as compose does before the server starts).</summary>
    public async Task<(long Exit, IReadOnlyList<string> Output)> RunBootloaderAsync()
    {
        var lines = new List<string>();
        var exit = await Engine.RunAsync(new ContainerSpec(Prefix + "-bootloader-" + TestNames.Id(4), Images[1]) { Environment = DatabaseEnvironment, NetworkMode = Network, Labels = Managed },
            lines.Add, TimeSpan.FromMinutes(2));
        return (exit, lines);
    }

    public async Task<(int Status, JsonNode? Body)> PostAsync(string route, JsonNode? body)
    {
        using var content = new StringContent(body?.ToJsonString() ?? "{}", Encoding.UTF8, "application/json");
        using var response = await Http.PostAsync(route, content);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    public async Task<List<object?[]>> QueryAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }

    private async Task StartAsync(ContainerSpec spec)
    {
        if (!_containers.Contains(spec.Name)) _containers.Add(spec.Name);
        await Engine.Containers.CreateAsync(spec with { Labels = Managed });
        await Engine.Containers.StartAsync(spec.Name);
    }

    private static Dictionary<string, string> Managed => new() { [Labels.Managed] = "true" };

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        foreach (var leftover in await Engine.Containers.ListAsync([Labels.Managed]))
            if (leftover.Name.StartsWith(Prefix, StringComparison.Ordinal)) await Engine.Containers.RemoveAsync(leftover.Id, force: true);
        foreach (var name in _containers) await Engine.Containers.RemoveAsync(name, force: true);
        await Engine.Volumes.RemoveAsync(DbVolume);
        await Engine.Networks.RemoveAsync(Network);
    }
}

/// <summary>One stack shared by the tests of a class.</summary>
public sealed class DbEraFixture : IAsyncLifetime
{
    public DbEraContainers Stack { get; private set; } = null!;

    public async Task InitializeAsync() => Stack = await DbEraContainers.StartAsync();

    public async Task DisposeAsync()
    {
        if (Stack is not null) await Stack.DisposeAsync();
    }
}
