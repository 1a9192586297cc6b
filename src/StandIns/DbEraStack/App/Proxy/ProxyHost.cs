using System.Net.Http.Headers;
using System.Text;

namespace AirbyteOps.StandIns.DbEraStack.Proxy;

/// <summary>
/// Stand-in for airbyte/proxy:0.50.33 (nginx with basic auth): listens on 8000 (webapp) and 8001 (API), asks for
/// BASIC_AUTH_USERNAME / BASIC_AUTH_PASSWORD on every path (health included; both empty turns auth off, as in the
/// real one) and passes requests on to airbyte-server:8001 (PROXY_PASS_API). There is no webapp behind 8000: paths
/// outside /api answer 404.
/// </summary>
public static class ProxyHost
{
    public static WebApplication Build(Func<string, string?> environment, params string[] urls)
    {
        var user = environment("BASIC_AUTH_USERNAME") ?? "";
        var password = environment("BASIC_AUTH_PASSWORD") ?? "";
        var upstream = new Uri((environment("PROXY_PASS_API") is { Length: > 0 } u ? u : "http://airbyte-server:8001").TrimEnd('/') + "/");
        var timeout = int.TryParse(environment("BASIC_AUTH_PROXY_TIMEOUT"), out var seconds) && seconds > 0 ? seconds : 900;
        var expected = user.Length == 0 && password.Length == 0 ? null : "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(urls);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(timeout) };
        app.Run(async context =>
        {
            if (expected is not null && context.Request.Headers.Authorization.ToString() != expected)
            {
                context.Response.StatusCode = 401;
                context.Response.Headers.WWWAuthenticate = "Basic realm=\"Welcome to Airbyte\"";
                await context.Response.WriteAsync("401 Authorization Required").ConfigureAwait(false);
                return;
            }
            var path = context.Request.Path.Value ?? "/";
            if (context.Connection.LocalPort == 8000 && !path.StartsWith("/api/", StringComparison.Ordinal))
            {
                context.Response.StatusCode = 404;
                await context.Response.WriteAsync("The database-era stand-in has no webapp; the API is on port 8001.").ConfigureAwait(false);
                return;
            }
            using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), new Uri(upstream, path.TrimStart('/') + context.Request.QueryString));
            if (context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0)
            {
                request.Content = new StreamContent(context.Request.Body);
                if (context.Request.ContentType is { } type) request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
            }
            try
            {
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted).ConfigureAwait(false);
                context.Response.StatusCode = (int)response.StatusCode;
                if (response.Content.Headers.ContentType is { } contentType) context.Response.ContentType = contentType.ToString();
                await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
            }
            catch (HttpRequestException)
            {
                context.Response.StatusCode = 502;
                await context.Response.WriteAsync("502 Bad Gateway").ConfigureAwait(false);
            }
        });
        return app;
    }
}
