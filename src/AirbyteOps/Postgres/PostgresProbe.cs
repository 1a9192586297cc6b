using System.Collections.Concurrent;
using Npgsql;

namespace AirbyteOps.Postgres;

/// <summary>Readiness as the user means it: a real SQL query through Npgsql succeeds.</summary>
public static class PostgresProbe
{
    private static readonly ConcurrentDictionary<string, Lazy<NpgsqlDataSource>> Sources = new(StringComparer.Ordinal);

    /// <summary>
    /// The probes' data source for a connection string, built once per process: Npgsql's slim builder (the built-in
    /// types, password and SCRAM authentication, TLS when the server offers it, as the full one; none of the JSON, range,
    /// array-of-record and network mappings it would set up and the probes never read) and no type loading (no
    /// <c>pg_type</c> query after connecting: the probes read int4, int8 and bool, which Npgsql knows built in).
    /// </summary>
    private static NpgsqlDataSource SourceFor(string connectionString) =>
        Sources.GetOrAdd(connectionString, cs => new Lazy<NpgsqlDataSource>(() => ProbeBuilder(cs).Build())).Value;

    /// <summary>The probes' builder: slim, no type loading, TLS when the server offers it (see <see cref="SourceFor"/>).</summary>
    private static NpgsqlSlimDataSourceBuilder ProbeBuilder(string connectionString)
    {
        var builder = new NpgsqlSlimDataSourceBuilder(connectionString);
        builder.ConfigureTypeLoading(types => types.EnableTypeLoading(false));
        builder.EnableTransportSecurity();
        return builder;
    }

    /// <summary>True when <c>select 1</c> answers. A rejected password is not "not ready yet": it throws at once.</summary>
    public static async Task<bool> QueryAsync(string connectionString, CancellationToken ct = default)
    {
        try
        {
            await using var connection = await SourceFor(connectionString).OpenConnectionAsync(ct).ConfigureAwait(false);
            await using var command = new NpgsqlCommand("select 1", connection);
            return (int?)await command.ExecuteScalarAsync(ct).ConfigureAwait(false) == 1;
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification)
        {
            throw new PasswordRejectedException(ex.MessageText, ex);
        }
        catch (Exception ex) when (ex is NpgsqlException or PostgresException or IOException or TimeoutException or System.Net.Sockets.SocketException)
        {
            // Starting up, shutting down, not listening yet: not ready.
            return false;
        }
    }

    /// <summary>
    /// <c>select 1</c> through a connection opened at once, with the password held back until <paramref name="confirmed"/>
    /// says the server on that port is the one meant (the container of that name publishing it): Npgsql asks for the
    /// password only when the server requests it, after the TCP connect, the TLS offer and the startup message (user and
    /// database names, no secret). So Npgsql's load, its connect path and the round trips run beside the look that
    /// decides, and a server that is not ours never gets the password: the connection is dropped at its request for it.
    /// Null when <paramref name="confirmed"/> said no (nothing is known); otherwise as <see cref="QueryAsync"/>.
    /// </summary>
    public static async Task<bool?> QueryOnceConfirmedAsync(string connectionString, string password, Task<bool> confirmed, CancellationToken ct = default)
    {
        var builder = ProbeBuilder(connectionString);
        builder.UsePasswordProvider(
            _ => throw new InvalidOperationException("The gated probe opens its connection asynchronously only."),
            async (_, c) => await confirmed.WaitAsync(c).ConfigureAwait(false) ? password : throw new NotConfirmedException());
        await using var source = builder.Build();
        try
        {
            await using var connection = await source.OpenConnectionAsync(ct).ConfigureAwait(false);
            await using var command = new NpgsqlCommand("select 1", connection);
            return (int?)await command.ExecuteScalarAsync(ct).ConfigureAwait(false) == 1;
        }
        catch (Exception) when (confirmed.IsCompletedSuccessfully && !confirmed.Result)
        {
            return null;
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification)
        {
            throw new PasswordRejectedException(ex.MessageText, ex);
        }
        catch (Exception ex) when (ex is NpgsqlException or PostgresException or IOException or TimeoutException or System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    /// <summary>The rows of <paramref name="schema"/>.<paramref name="table"/>, or null when the table does not exist or the server does not answer.</summary>
    public static async Task<long?> CountRowsAsync(string connectionString, string schema, string table, CancellationToken ct = default)
    {
        try
        {
            await using var connection = await SourceFor(connectionString).OpenConnectionAsync(ct).ConfigureAwait(false);
            await using var exists = new NpgsqlCommand("select to_regclass(quote_ident(@schema) || '.' || quote_ident(@table)) is not null", connection);
            exists.Parameters.AddWithValue("schema", schema);
            exists.Parameters.AddWithValue("table", table);
            if (await exists.ExecuteScalarAsync(ct).ConfigureAwait(false) is not true) return null;
            // The identifiers were just proved to name an existing table, and are quoted.
            await using var count = new NpgsqlCommand($"select count(*) from \"{schema.Replace("\"", "\"\"", StringComparison.Ordinal)}\".\"{table.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
            return (long?)await count.ExecuteScalarAsync(ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or PostgresException or IOException or TimeoutException or System.Net.Sockets.SocketException)
        {
            return null;
        }
    }
}

/// <summary>The look said the server on the port is not ours: the gated probe's password is withheld.</summary>
internal sealed class NotConfirmedException : Exception
{
    public NotConfirmedException() : base("The server on this port is not the destination container; the password was withheld.") { }
}

/// <summary>The server answered and refused the password: no point in waiting longer. Caught inside this library.</summary>
internal sealed class PasswordRejectedException : Exception
{
    public PasswordRejectedException(string message, Exception inner) : base(message, inner) { }
}
