using AirbyteOps.StandIns.DemoStack.Api;
using AirbyteOps.StandIns.DemoStack.Config;
using AirbyteOps.StandIns.DemoStack.Jobs;

namespace AirbyteOps.StandIns.DemoStack.Hosting;

/// <summary>Builds the server (airbyte-server stand-in, port 8001). Tests build it with their own store and URL.</summary>
public static class ServerHost
{
    public static WebApplication Build(StandInSettings settings, IJobStore store, string url)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(settings);
        var repo = new ConfigRepository(settings.ConfigRoot);
        builder.Services.AddSingleton(repo);
        builder.Services.AddSingleton(store);
        var app = builder.Build();
        SetCustomerIdIfNotSet(repo, app.Logger);
        ServerApi.Map(app);
        // The schema check waits for airbyte-db in the background, so health answers while the database starts.
        app.Lifetime.ApplicationStarted.Register(() => _ = DatabaseWait.UntilReadyAsync(store, app.Logger, app.Lifetime.ApplicationStopping));
        return app;
    }

    /// <summary>
    /// As the real server did at start-up: the seed's default workspace has no customerId (the API's WorkspaceRead
    /// requires one), so the server gives it a random one and writes the file back. A missing or unreadable workspace is
    /// left alone (health then says false).
    /// </summary>
    private static void SetCustomerIdIfNotSet(ConfigRepository repo, ILogger logger)
    {
        try
        {
            var workspace = repo.GetAsync(ConfigType.StandardWorkspace, ConfigType.DefaultWorkspaceId).GetAwaiter().GetResult();
            if (workspace is null || workspace["customerId"] is not null) return;
            workspace["customerId"] = Guid.NewGuid().ToString();
            repo.WriteAsync(ConfigType.StandardWorkspace, ConfigType.DefaultWorkspaceId, workspace).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("Could not set the default workspace's customerId: {Reason}", ex.Message);
        }
    }
}
