using Npgsql;

namespace AirbyteOps.Postgres;

/// <summary>Readiness as the user means it: a real SQL query through Npgsql succeeds.</summary>
public static class PostgresProbe
{
    /// <summary>True when <c>select 1</c> answers. A rejected password is not "not ready yet": it throws at once.</summary>
    public static async Task<bool> QueryAsync(string connectionString, CancellationToken ct = default)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(ct).ConfigureAwait(false);
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

    /// <summary>The rows of <paramref name="schema"/>.<paramref name="table"/>, or null when the table does not exist or the server does not answer.</summary>
    public static async Task<long?> CountRowsAsync(string connectionString, string schema, string table, CancellationToken ct = default)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(ct).ConfigureAwait(false);
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

/// <summary>The server answered and refused the password: no point in waiting longer. Caught inside this library.</summary>
internal sealed class PasswordRejectedException : Exception
{
    public PasswordRejectedException(string message, Exception inner) : base(message, inner) { }
}
