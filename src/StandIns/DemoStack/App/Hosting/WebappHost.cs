using AirbyteOps.StandIns.DemoStack.Webapp;

namespace AirbyteOps.StandIns.DemoStack.Hosting;

/// <summary>Builds the webapp (airbyte-webapp stand-in, container port 80).</summary>
public static class WebappHost
{
    public static WebApplication Build(StandInSettings settings, string url)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddHttpClient("server", client =>
        {
            client.BaseAddress = new Uri(settings.ServerUrl);
            client.Timeout = TimeSpan.FromSeconds(10);
        });
        var app = builder.Build();
        app.MapGet("/", async (IHttpClientFactory factory, CancellationToken ct) =>
            Results.Content(await WebappPage.RenderAsync(factory.CreateClient("server"), ct).ConfigureAwait(false), "text/html; charset=utf-8"));
        return app;
    }
}
