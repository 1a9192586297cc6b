using System.Formats.Tar;
using AirbyteOps.Docker;
using Npgsql;

namespace AirbyteOps.Workspace.Tests;

/// <summary>
/// What DbtRun's tests need: the stand-in dbt published self-contained for linux-x64 (a folder holding an executable
/// named dbt, for local mode), a test image built from src/StandIns/Dbt/image with it, a destination Postgres
/// (airbyteops/postgres:15 on 127.0.0.1, a free port) with a raw table, and a workspace volume whose job 1 has a good
/// normalization project and job 2 a broken model. All named abops-test-..., all removed afterwards.
/// </summary>
public sealed class StandinFixture : IAsyncLifetime
{
    private readonly TempDirectory _work = new("abops-test-standin-");

    public DockerEngine Engine { get; } = DockerEngine.Connect();
    public string DbtFolder => Path.Combine(_work.Path, "context", "dbt");
    public string Image { get; } = $"{TestNames.Unique("normalization-standin")}:0.18.1";
    public string PostgresContainer { get; } = TestNames.Unique("pg");
    public int Port { get; } = TestNames.FreePort();
    public string Password { get; } = $"pw-{Guid.NewGuid():N}";
    public string Volume { get; private set; } = "";
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Password={Password};Database=postgres;Pooling=false";

    public static readonly (string Data, string Expected)[] RawRows =
    [
        ("{\"date\":\"2020-06-01\",\"new_confirmed\":12.5,\"key\":\"US\"}", "2020-06-01-12.5-US"),
        ("{\"date\":\"2020-06-02\",\"key\":\"FR\"}", "2020-06-02--FR"),
        ("{\"date\":\"2020-06-03\",\"new_confirmed\":7,\"key\":\"DE\"}", "2020-06-03-7-DE"),
    ];

    public string BrokenModelSql => $"select cast('{Password}' as int) as broken from {{{{ source('quarantine', 'covid_epidemiology_raw') }}}}";

    public async Task InitializeAsync()
    {
        var root = RepositoryPaths.Root;
        var context = Path.Combine(_work.Path, "context");
        // The same recipe as the image builder: publish into <context>/dbt, then build without pull.
        var (exit, output) = await ChildProcess.RunAsync("dotnet", "publish", Path.Combine(root, "src", "StandIns", "Dbt", "AirbyteOps.StandIns.Dbt.csproj"),
            "-c", "Release", "-r", "linux-x64", "--self-contained", "-o", DbtFolder, "-nologo", "-v", "quiet");
        if (exit != 0) throw new InvalidOperationException($"publishing the stand-in dbt failed:\n{output}");
        File.Copy(Path.Combine(root, "src", "StandIns", "Dbt", "image", "Dockerfile"), Path.Combine(context, "Dockerfile"));
        using (var tar = new MemoryStream())
        {
            await TarFile.CreateFromDirectoryAsync(context, tar, includeBaseDirectory: false);
            tar.Position = 0;
            await Engine.Images.BuildAsync(tar, Image, new Dictionary<string, string> { [Labels.Managed] = "true", [Labels.Role] = "test" });
        }

        await Engine.Containers.CreateAsync(new ContainerSpec(PostgresContainer, TestImages.Postgres)
        {
            Environment = new Dictionary<string, string> { ["POSTGRES_PASSWORD"] = Password },
            Ports = [new PortMapping(Port, 5432)],
            Labels = new Dictionary<string, string> { [Labels.Managed] = "true", [Labels.Role] = "test" },
        });
        await Engine.Containers.StartAsync(PostgresContainer);
        await Readiness.WaitUntilAsync($"Postgres in {PostgresContainer} to answer a query", async ct =>
        {
            await using var connection = new NpgsqlConnection(ConnectionString);
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand("select 1", connection);
            return await command.ExecuteScalarAsync(ct) is 1;
        }, TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(500));
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand("create schema quarantine; create table quarantine.covid_epidemiology_raw (ab_id varchar, data jsonb, emitted_at timestamptz default now())", connection);
            await create.ExecuteNonQueryAsync();
            foreach (var (data, _) in RawRows)
            {
                await using var insert = new NpgsqlCommand("insert into quarantine.covid_epidemiology_raw (ab_id, data) values (gen_random_uuid()::text, @data::jsonb)", connection);
                insert.Parameters.AddWithValue("data", data);
                await insert.ExecuteNonQueryAsync();
            }
        }

        // Host networking (as the tutorial): "localhost" in profiles.yml is this machine, where the port is published.
        var profiles = TestProjects.ProfilesYml("localhost", Port, Password);
        Volume = await TestEngine.CreateVolumeAsync(Engine, "dbt-ws", new TarBuilder()
            .File("1/0/logs.log", "sync done\n")
            .AddProject("1/0/normalize", profiles)
            .File("2/0/logs.log", "sync done\n")
            .AddProject("2/0/normalize", profiles, BrokenModelSql, "broken_stream"));
    }

    public async Task<T?> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync();
        return value is DBNull or null ? default : (T)value;
    }

    public async Task<List<object?[]>> RowsAsync(string sql)
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

    public async Task DisposeAsync()
    {
        await Engine.Containers.RemoveAsync(PostgresContainer, force: true, removeAnonymousVolumes: true);
        if (Volume.Length > 0) await Engine.Volumes.RemoveAsync(Volume);
        if (await Engine.Images.FindAsync(Image) is not null) await Engine.Images.RemoveAsync(Image);
        Engine.Dispose();
        _work.Dispose();
    }
}
