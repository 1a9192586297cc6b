using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace AirbyteOps.Faults.Tests.Support;

/// <summary>
/// A tiny stand-in Airbyte API on 127.0.0.1 (HttpListener) that speaks the few routes Sync needs: workspaces/get_by_slug, jobs/list,
/// connections/list, connections/sync, jobs/get. It records every route asked, so a test can prove that nothing was
/// started. Any other route answers 404 as the real server does.
/// </summary>
public sealed class TinyAirbyteServer : IDisposable
{
    public const string WorkspaceId = "5ae6b09b-fdec-41af-aaf7-7d94cfc33ef6";

    private readonly HttpListener _listener = new();
    private readonly IReadOnlyList<(string Id, string Name)> _connections;

    public TinyAirbyteServer(params (string Id, string Name)[] connections)
    {
        _connections = connections;
        var port = TestNames.FreePort();
        BaseUrl = new Uri($"http://127.0.0.1:{port}/api/v1/");
        _listener.Prefixes.Add(BaseUrl.ToString());
        _listener.Start();
        _ = ServeAsync();
    }

    public Uri BaseUrl { get; }
    public List<string> Routes { get; } = [];

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            var route = context.Request.Url!.AbsolutePath[BaseUrl.AbsolutePath.Length..];
            lock (Routes) Routes.Add(route);
            JsonNode? body = route switch
            {
                "workspaces/get_by_slug" => new JsonObject { ["workspaceId"] = WorkspaceId, ["name"] = "default", ["slug"] = "default" },
                "jobs/list" => new JsonObject { ["jobs"] = new JsonArray() },
                "connections/list" => new JsonObject
                {
                    ["connections"] = new JsonArray(_connections.Select(c => (JsonNode)new JsonObject { ["connectionId"] = c.Id, ["name"] = c.Name, ["status"] = "active" }).ToArray()),
                },
                "connections/sync" => new JsonObject { ["job"] = new JsonObject { ["id"] = 1, ["status"] = "running" }, ["attempts"] = new JsonArray() },
                _ => null,
            };
            var bytes = Encoding.UTF8.GetBytes(body?.ToJsonString() ?? "{\"message\":\"Not found\"}");
            context.Response.StatusCode = body is null ? 404 : 200;
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
    }
}
