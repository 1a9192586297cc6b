using Npgsql;

namespace AirbyteOps.StandIns.DbEraStack.Server;

/// <summary>Builds the airbyte-server stand-in (port 8001). Tests build it with their own connection string and URL.</summary>
public static class ServerHost
{
    public static async Task<WebApplication> BuildAsync(Settings settings, string url, CancellationToken ct = default)
    {
        var persistence = settings.SecretPersistence;
        if (persistence is not ("" or "TESTING_CONFIG_DB_TABLE"))
            throw new InvalidOperationException($"SECRET_PERSISTENCE={persistence}: the stand-in keeps secrets only in the database's secrets table (empty or TESTING_CONFIG_DB_TABLE).");
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var source = NpgsqlDataSource.Create(settings.RequireDatabase());
        builder.Services.AddSingleton(source);
        var app = builder.Build();
        // As the real server's database secret persistence does when it starts: the table it keeps payloads in.
        await using (var command = source.CreateCommand(Secrets.CreateTable))
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        ConfigApi.Map(app);
        return app;
    }
}
