using System.Text;
using AirbyteOps.Docker;

namespace AirbyteOps.TestSupport;

/// <summary>
/// The jobs database and scheduler next to a <see cref="TestDeployment"/>: a real Postgres from the local airbyte-db
/// stand-in image (the 0.7 jobs schema, user/password docker, database airbyte) on its own volume, and a busybox
/// "scheduler" (the second writer). Names are the deployment's (abops-test-*); all removed on dispose.
/// SQL runs through <c>docker exec psql</c> (argument lists), as the product does.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string Image = "airbyteops/airbyte-db:0.7.1-alpha";
    public const string Database = "airbyte";
    public const string User = "docker";

    private TestDatabase(DockerEngine engine, string server)
    {
        Engine = engine;
        Container = server.Replace("-server", "-db", StringComparison.Ordinal);
        Volume = Container + "data";
        Scheduler = server.Replace("-server", "-scheduler", StringComparison.Ordinal);
    }

    public DockerEngine Engine { get; }
    public string Container { get; }
    public string Volume { get; }
    public string Scheduler { get; }

    public static async Task<TestDatabase> CreateAsync(TestDeployment deployment, bool schedulerRunning = true)
    {
        var db = new TestDatabase(deployment.Engine, deployment.Server);
        var labels = new Dictionary<string, string> { [Labels.Managed] = "true" };
        await db.Engine.Volumes.CreateAsync(db.Volume, labels);
        await db.StartDatabaseAsync();
        await db.Engine.Containers.CreateAsync(new ContainerSpec(db.Scheduler, TestImages.Busybox)
        {
            Command = ["sleep", "3600"], NetworkMode = "none", Labels = labels,
        });
        if (schedulerRunning) await db.Engine.Containers.StartAsync(db.Scheduler);
        return db;
    }

    private async Task StartDatabaseAsync()
    {
        await Engine.Containers.CreateAsync(new ContainerSpec(Container, Image)
        {
            Environment = new Dictionary<string, string> { ["POSTGRES_USER"] = User, ["POSTGRES_PASSWORD"] = "docker", ["POSTGRES_DB"] = Database },
            Mounts = [new VolumeMount(Volume, "/var/lib/postgresql/data")],
            NetworkMode = "none",
            Labels = new Dictionary<string, string> { [Labels.Managed] = "true" },
        });
        await Engine.Containers.StartAsync(Container);
        // The entrypoint's first start runs the init scripts on a socket-only server, then restarts: ready means the
        // real server (listen_addresses '*') answers and the jobs table exists.
        await Readiness.WaitUntilAsync($"Postgres in '{Container}'", async ct =>
            (await TrySqlAsync("SELECT current_setting('listen_addresses') || '|' || (SELECT count(*) FROM jobs)", Database, ct))?.StartsWith("*|", StringComparison.Ordinal) == true,
            TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(300));
    }

    /// <summary>Like a wipe of the airbyte_db volume: the container and volume removed, a fresh database from the image's init script.</summary>
    public async Task WipeAsync()
    {
        await Engine.Containers.RemoveAsync(Container, force: true);
        await Engine.Volumes.RemoveAsync(Volume);
        await Engine.Volumes.CreateAsync(Volume, new Dictionary<string, string> { [Labels.Managed] = "true" });
        await StartDatabaseAsync();
    }

    /// <summary>Runs SQL (unaligned, tuples only) and returns its output; fails the test when psql fails.</summary>
    public async Task<string> SqlAsync(string sql, string database = Database)
    {
        var output = await TrySqlAsync(sql, database, CancellationToken.None);
        return output ?? throw new InvalidOperationException($"psql failed in {Container}: {sql}");
    }

    private async Task<string?> TrySqlAsync(string sql, string database, CancellationToken ct)
    {
        using var stdout = new MemoryStream();
        var result = await Engine.ExecAsync(Container, ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-U", User, "-d", database, "-tA", "-c", sql], stdout: stdout, ct: ct);
        return result.Succeeded ? Encoding.UTF8.GetString(stdout.ToArray()).TrimEnd('\n') : null;
    }

    /// <summary>Inserts a sync job with its attempt (output with a state) and returns the job id.</summary>
    public async Task<long> InsertSyncJobAsync(string connectionId, string configJson, string outputJson)
    {
        var id = long.Parse(await SqlAsync(
            $"INSERT INTO jobs (config_type, scope, config, status, created_at, started_at, updated_at) VALUES ('sync', '{connectionId}', '{Escape(configJson)}'::jsonb, 'succeeded', now(), now(), now()) RETURNING id"),
            System.Globalization.CultureInfo.InvariantCulture);
        await SqlAsync($"INSERT INTO attempts (job_id, attempt_number, log_path, output, status, created_at, updated_at, ended_at) VALUES ({id}, 0, '/tmp/workspace/{id}/0', '{Escape(outputJson)}'::jsonb, 'succeeded', now(), now(), now())");
        return id;
    }

    /// <summary>Every row of jobs and attempts as text, in id order: what "the same history" means.</summary>
    public Task<string> HistoryAsync(string database = Database) =>
        SqlAsync("SELECT 'job', id, config_type, scope, config::text, status::text, created_at FROM jobs UNION ALL SELECT 'attempt', job_id, attempt_number::text, log_path, output::text, status::text, created_at FROM attempts ORDER BY 1, 2, 3", database);

    public async Task<IReadOnlyList<string>> DatabasesAsync() => (await SqlAsync("SELECT datname FROM pg_database ORDER BY 1", "postgres")).Split('\n');

    public async Task<string> StateAsync(string container) => (await Engine.Containers.InspectAsync(container)).State;

    private static string Escape(string text) => text.Replace("'", "''", StringComparison.Ordinal);

    public async ValueTask DisposeAsync()
    {
        foreach (var name in new[] { Scheduler, Container })
        {
            if ((await Engine.Containers.FindAsync(name))?.State == "paused") await Engine.Containers.UnpauseAsync(name);
            await Engine.Containers.RemoveAsync(name, force: true);
        }
        await Engine.Volumes.RemoveAsync(Volume);
    }
}
