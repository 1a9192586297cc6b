using System.Text.Json.Nodes;
using Npgsql;

namespace AirbyteOps.StandIns.DemoStack.Worker;

/// <summary>The connectionConfiguration of airbyte/destination-postgres 0.7 (host, port, username, password, database, schema, basic_normalization).</summary>
public sealed record StandInPostgresSettings(string Host, int Port, string Username, string? Password, string Database, string Schema, bool BasicNormalization)
{
    public static StandInPostgresSettings From(JsonObject configuration)
    {
        string Required(string key) => configuration[key]?.ToString() is { Length: > 0 } value
            ? value : throw new InvalidDataException($"The Postgres destination configuration has no '{key}'.");
        var port = configuration["port"] switch
        {
            null => 5432,
            JsonValue v when v.TryGetValue<int>(out var number) => number,
            var other => int.Parse(other.ToString(), System.Globalization.CultureInfo.InvariantCulture),
        };
        return new StandInPostgresSettings(
            Required("host"),
            port,
            Required("username"),
            configuration["password"]?.GetValue<string>(),
            Required("database"),
            configuration["schema"]?.GetValue<string>() is { Length: > 0 } schema ? schema : "public",
            configuration["basic_normalization"]?.GetValue<bool>() ?? false);
    }

    public string ConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = Host,
        Port = Port,
        Username = Username,
        Password = Password,
        Database = Database,
        Timeout = 5,
        CommandTimeout = 120,
        Pooling = false,
    }.ConnectionString;

    /// <summary>Never prints the password.</summary>
    public override string ToString() => $"postgres {Username}@{Host}:{Port}/{Database} schema {Schema}";
}
