using AirbyteOps.Docker;

namespace AirbyteOps.Setups.Database;

/// <summary>
/// Airbyte's jobs database in a deployment: the container (airbyte-db), the database name and user the server uses
/// (DATABASE_DB / DATABASE_USER from the compose .env, read off the server's environment; else the database
/// container's POSTGRES_DB / POSTGRES_USER).
/// </summary>
internal sealed record DatabaseTarget(ContainerInfo Container, string Database, string User)
{
    public string Name => Container.Name;

    public PostgresShell Shell(DockerEngine engine) => new(engine, Container.Name, User);

    /// <summary>The database of the deployment, or null when there is no container of that name (or none was asked for).</summary>
    public static async Task<DatabaseTarget?> LocateAsync(DockerEngine engine, string? container, IReadOnlyDictionary<string, string>? serverEnvironment, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(container)) return null;
        var info = await engine.Containers.FindAsync(container, ct).ConfigureAwait(false);
        if (info is null) return null;
        var own = await engine.ContainerEnvironmentAsync(container, ct).ConfigureAwait(false) ?? new Dictionary<string, string>();
        string Pick(string serverKey, string dbKey, string fallback) =>
            serverEnvironment is not null && serverEnvironment.TryGetValue(serverKey, out var v) && v.Length > 0 ? v
            : own.TryGetValue(dbKey, out var w) && w.Length > 0 ? w : fallback;
        var user = Pick("DATABASE_USER", "POSTGRES_USER", "postgres");
        // DATABASE_DB (0.7's .env), else the database of DATABASE_URL (jdbc:postgresql://db:5432/airbyte, 0.30 on), else POSTGRES_DB.
        var fromUrl = serverEnvironment is not null && serverEnvironment.TryGetValue("DATABASE_URL", out var url) ? DatabaseOfJdbcUrl(url) : null;
        var database = serverEnvironment is not null && serverEnvironment.TryGetValue("DATABASE_DB", out var db) && db.Length > 0 ? db : fromUrl ?? Pick("DATABASE_DB", "POSTGRES_DB", user);
        return new DatabaseTarget(info, database, user);
    }

    /// <summary>jdbc:postgresql://db:5432/airbyte?ssl=false → airbyte; null when there is no database in the URL.</summary>
    public static string? DatabaseOfJdbcUrl(string? url)
    {
        if (string.IsNullOrWhiteSpace(url)) return null;
        var text = url.Trim();
        if (text.StartsWith("jdbc:", StringComparison.OrdinalIgnoreCase)) text = text[5..];
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.AbsolutePath.Trim('/') is { Length: > 0 } path ? Uri.UnescapeDataString(path) : null;
    }

    /// <summary>
    /// Makes sure the database answers: a stopped container is started (and <paramref name="started"/> says so, to stop
    /// it again afterwards), then the real server is awaited (<see cref="PostgresShell.ReadyAsync"/>).
    /// </summary>
    public async Task<bool> EnsureRunningAsync(DockerEngine engine, TimeSpan timeout, Action<string> log, CancellationToken ct)
    {
        var started = false;
        var state = (await engine.Containers.InspectAsync(Name, ct).ConfigureAwait(false)).State;
        if (state == "paused")
            throw new DockerOpsException($"Database container '{Name}' is paused (by someone else); unpause it (docker unpause {Name}) and run again.");
        if (state != "running")
        {
            log($"Database container '{Name}' is {state}; starting it for the duration of this run (it is stopped again afterwards)...");
            await engine.Containers.StartAsync(Name, ct).ConfigureAwait(false);
            started = true;
        }
        var shell = Shell(engine);
        // Why it is not ready yet (psql's error, or the temporary server) is the wait's last error when it times out.
        await Readiness.WaitUntilAsync($"Postgres in container '{Name}' to accept connections",
            async c => await shell.NotReadyBecauseAsync(c).ConfigureAwait(false) is { } why ? throw new NotReadyException(why) : true,
            timeout, TimeSpan.FromMilliseconds(200), ct).ConfigureAwait(false);
        return started;
    }

    private sealed class NotReadyException(string why) : Exception(why);
}
