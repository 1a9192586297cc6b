namespace AirbyteOps.Postgres;

/// <summary>The destination Postgres the tutorial starts: name, image, port on 127.0.0.1, credentials, database.</summary>
public sealed record PostgresOptions(
    string ContainerName,
    string Image,
    int HostPort,
    string User,
    string Password,
    string Database,
    TimeSpan Timeout)
{
    public string HostAddress { get; init; } = "127.0.0.1";

    /// <summary>Makes sure the image is built (the local-image recipe check); run while the running container is asked a query.</summary>
    public Func<CancellationToken, Task>? EnsureImage { get; init; }

    /// <summary>
    /// A look at the container made earlier (<see cref="StartPostgresOperation.LookAsync"/>; the build starts it in Setup for
    /// StartPostgres alone): taken instead of looking again when it got an answer (null, failed or absent: looked at again).
    /// </summary>
    public Task<DestinationLookup?>? Lookup { get; init; }

    /// <summary>The connection string, for code only: it holds the password and is never printed.</summary>
    public string ConnectionString => Builder(Password).ConnectionString;

    /// <summary>The same without the password, for a probe that is given it only once the server is known to be ours.</summary>
    internal string ConnectionStringWithoutPassword => Builder(null).ConnectionString;

    private Npgsql.NpgsqlConnectionStringBuilder Builder(string? password) => new()
    {
        Host = HostAddress,
        Port = HostPort,
        Username = User,
        Password = password,
        Database = Database,
        Timeout = 3,
        Pooling = false,
        // Npgsql's default (Prefer) first tries GSS encryption, which needs Kerberos: here that is a TCP connection opened
        // and dropped before every real one. The destination authenticates by password.
        GssEncryptionMode = Npgsql.GssEncryptionMode.Disable,
    };

    /// <summary>What may be shown: everything but the password.</summary>
    public string Describe => $"host {HostAddress}, port {HostPort}, user {User}, database {Database}, password: [REDACTED] (from POSTGRES_PASSWORD)";

    public override string ToString() => $"PostgresOptions {{ {ContainerName}, {Image}, {Describe} }}";
}
