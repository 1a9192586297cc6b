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
}

/// <summary>The server answered and refused the password: no point in waiting longer. Caught inside this library.</summary>
internal sealed class PasswordRejectedException : Exception
{
    public PasswordRejectedException(string message, Exception inner) : base(message, inner) { }
}
