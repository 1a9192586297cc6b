using AirbyteOps.Docker;

namespace AirbyteOps.Setups.Database;

/// <summary>The deployment's database (airbyte-db) as other targets ask about it: whether its real server answers yet.</summary>
public static class DeploymentDatabase
{
    /// <summary>
    /// Null when Postgres in <paramref name="container"/> answers from its real server: not a first start's temporary
    /// server (socket only, while the init scripts run), which a check over the local socket (pg_isready) passes against.
    /// Otherwise why not, in a few words (psql's error, or the temporary server). Its user is the container's POSTGRES_USER.
    /// </summary>
    public static async Task<string?> NotReadyBecauseAsync(DockerEngine engine, string container, CancellationToken ct)
    {
        var target = await DatabaseTarget.LocateAsync(engine, container, null, ct).ConfigureAwait(false);
        return target is null ? $"there is no container '{container}'" : await target.Shell(engine).NotReadyBecauseAsync(ct).ConfigureAwait(false);
    }
}
