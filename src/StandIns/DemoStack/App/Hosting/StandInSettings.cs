using Npgsql;

namespace AirbyteOps.StandIns.DemoStack.Hosting;

/// <summary>
/// The stand-in's settings, read from the same environment variables the Airbyte 0.7 containers used
/// (CONFIG_ROOT, WORKSPACE_ROOT, LOCAL_ROOT, DATABASE_*, WORKSPACE_DOCKER_MOUNT, LOCAL_DOCKER_MOUNT) plus a
/// few the stand-in needs because it runs its own worker image instead of connector images.
/// </summary>
public sealed record StandInSettings
{
    public string ConfigRoot { get; init; } = "/data";
    public string WorkspaceRoot { get; init; } = "/tmp/workspace";
    public string LocalRoot { get; init; } = "/tmp/airbyte_local";
    public string Version { get; init; } = "0.7.1-alpha";

    /// <summary>Npgsql connection string to airbyte-db (jobs and attempts); null when no DATABASE_URL is set.</summary>
    public string? DatabaseConnectionString { get; init; }

    /// <summary>Name of the workspace volume as the Docker engine knows it (mounted at /data in the worker).</summary>
    public string WorkspaceDockerMount { get; init; } = "airbyte_workspace";

    /// <summary>Host path of the local-files folder (mounted at /local in the worker).</summary>
    public string LocalDockerMount { get; init; } = "/tmp/airbyte_local";

    /// <summary>Image the scheduler starts a worker container from (its own image).</summary>
    public string WorkerImage { get; init; } = "airbyteops/airbyte-scheduler:0.7.1-alpha";

    /// <summary>Prefix of worker container names, so tests can give theirs a unique one.</summary>
    public string WorkerNamePrefix { get; init; } = "airbyte-worker";

    /// <summary>"docker" (a worker container on the host network, like real Airbyte) or "in-process" (tests, no Docker).</summary>
    public string WorkerMode { get; init; } = "docker";

    /// <summary>Where the webapp finds the server.</summary>
    public string ServerUrl { get; init; } = "http://airbyte-server:8001";

    /// <summary>How long connections/sync waits for the job to end (real Airbyte polled 120 times, once a second).</summary>
    public TimeSpan SyncWait { get; init; } = TimeSpan.FromSeconds(120);

    public static StandInSettings FromEnvironment(Func<string, string?>? read = null)
    {
        read ??= Environment.GetEnvironmentVariable;
        string Get(string name, string fallback) => read(name) is { Length: > 0 } value ? value : fallback;
        var defaults = new StandInSettings();
        var version = Get("AIRBYTE_VERSION", defaults.Version);
        return new StandInSettings
        {
            ConfigRoot = Get("CONFIG_ROOT", defaults.ConfigRoot),
            WorkspaceRoot = Get("WORKSPACE_ROOT", defaults.WorkspaceRoot),
            LocalRoot = Get("LOCAL_ROOT", defaults.LocalRoot),
            Version = version,
            DatabaseConnectionString = BuildConnectionString(read("DATABASE_URL"), read("DATABASE_USER"), read("DATABASE_PASSWORD")),
            WorkspaceDockerMount = Get("WORKSPACE_DOCKER_MOUNT", defaults.WorkspaceDockerMount),
            LocalDockerMount = Get("LOCAL_DOCKER_MOUNT", defaults.LocalDockerMount),
            WorkerImage = Get("WORKER_IMAGE", $"airbyteops/airbyte-scheduler:{version}"),
            WorkerNamePrefix = Get("WORKER_NAME_PREFIX", defaults.WorkerNamePrefix),
            WorkerMode = Get("WORKER_MODE", defaults.WorkerMode),
            ServerUrl = Get("AIRBYTE_SERVER_URL", defaults.ServerUrl),
            SyncWait = TimeSpan.FromSeconds(int.Parse(Get("SYNC_WAIT_SECONDS", "120"), System.Globalization.CultureInfo.InvariantCulture)),
        };
    }

    /// <summary>
    /// Turns Airbyte's JDBC-style DATABASE_URL (jdbc:postgresql://db:5432/airbyte) into an Npgsql connection string;
    /// a plain Npgsql connection string is accepted too.
    /// </summary>
    public static string? BuildConnectionString(string? databaseUrl, string? user, string? password)
    {
        if (string.IsNullOrWhiteSpace(databaseUrl)) return null;
        var builder = new NpgsqlConnectionStringBuilder();
        const string prefix = "jdbc:postgresql://";
        if (databaseUrl.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            var uri = new Uri("postgresql://" + databaseUrl[prefix.Length..]);
            builder.Host = uri.Host;
            builder.Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port;
            builder.Database = uri.AbsolutePath.Trim('/');
        }
        else
        {
            builder.ConnectionString = databaseUrl;
        }
        if (!string.IsNullOrEmpty(user)) builder.Username = user;
        if (!string.IsNullOrEmpty(password)) builder.Password = password;
        builder.Timeout = 5;
        return builder.ConnectionString;
    }
}
