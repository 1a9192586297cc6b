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
        builder.Services.AddSingleton(new ConfigRepository(settings.ConfigRoot));
        builder.Services.AddSingleton(store);
        var app = builder.Build();
        ServerApi.Map(app);
        // The schema check waits for airbyte-db in the background, so health answers while the database starts.
        app.Lifetime.ApplicationStarted.Register(() => _ = DatabaseWait.UntilReadyAsync(store, app.Logger, app.Lifetime.ApplicationStopping));
        return app;
    }
}
