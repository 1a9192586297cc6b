using Npgsql;

namespace AirbyteOps.StandIns.DbEraStack;

/// <summary>The stand-in's settings, from the environment variables the real 0.50.33 containers read.</summary>
public sealed record Settings
{
    public string Version { get; init; } = "0.50.33";
    public string? DatabaseConnectionString { get; init; }
    /// <summary>SECRET_PERSISTENCE: empty or TESTING_CONFIG_DB_TABLE keeps secrets in the secrets table, the only mode the stand-in has.</summary>
    public string SecretPersistence { get; init; } = "";

    public static Settings FromEnvironment(Func<string, string?>? read = null)
    {
        read ??= Environment.GetEnvironmentVariable;
        return new Settings
        {
            Version = read("AIRBYTE_VERSION") is { Length: > 0 } v ? v : "0.50.33",
            DatabaseConnectionString = ConnectionString(read("DATABASE_URL"), read("DATABASE_USER"), read("DATABASE_PASSWORD")),
            SecretPersistence = read("SECRET_PERSISTENCE") ?? "",
        };
    }

    public string RequireDatabase() => DatabaseConnectionString ?? throw new InvalidOperationException("DATABASE_URL is not set (e.g. jdbc:postgresql://db:5432/airbyte).");

    /// <summary>jdbc:postgresql://host:port/database (user and password apart, as Airbyte's .env has them) → an Npgsql connection string.</summary>
    public static string? ConnectionString(string? jdbcUrl, string? user, string? password)
    {
        if (string.IsNullOrWhiteSpace(jdbcUrl)) return null;
        const string prefix = "jdbc:postgresql://";
        if (!jdbcUrl.StartsWith(prefix, StringComparison.Ordinal)) throw new InvalidOperationException($"DATABASE_URL must start with {prefix}.");
        var uri = new Uri("postgresql://" + jdbcUrl[prefix.Length..]);
        return new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host, Port = uri.Port > 0 ? uri.Port : 5432, Database = uri.AbsolutePath.Trim('/'),
            Username = user, Password = password, Timeout = 5,
        }.ConnectionString;
    }
}
