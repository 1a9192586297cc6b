using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AirbyteOps.Api;

/// <summary>
/// The Airbyte configuration API of that era (POST JSON under /api/v1), as the real server and the demo
/// stack's stand-in both speak it. Only what the targets use.
/// </summary>
public sealed class AirbyteApi : IDisposable
{
    private readonly HttpClient _http;
    private readonly TimeSpan _requestTimeout;

    /// <summary>An API client; <paramref name="handler"/> replaces the network (tests hand in a recording double).</summary>
    public AirbyteApi(Uri baseUrl, TimeSpan? requestTimeout = null, HttpMessageHandler? handler = null, System.Net.NetworkCredential? basicAuth = null)
    {
        BaseUrl = new Uri(baseUrl.ToString().TrimEnd('/') + "/");
        _requestTimeout = requestTimeout ?? TimeSpan.FromSeconds(10);
        // The timeout is per request (see PostAsync), so one call (connections/sync) can wait longer than the rest.
        _http = (handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false));
        _http.BaseAddress = BaseUrl;
        _http.Timeout = Timeout.InfiniteTimeSpan;
        // airbyte-proxy (0.40 on) asks for basic auth on every path, health included.
        if (basicAuth is not null)
            _http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{basicAuth.UserName}:{basicAuth.Password}")));
    }

    public Uri BaseUrl { get; }

    /// <summary>
    /// True when GET health says ready: {"db": true} up to 0.39 (the server can read its default workspace),
    /// {"available": true} from 0.40 (HealthCheckRead of the database era).
    /// </summary>
    public async Task<bool> IsHealthyAsync(CancellationToken ct = default)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(_requestTimeout);
            using var response = await _http.GetAsync("health", timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) return false;
            var body = await response.Content.ReadFromJsonAsync<JsonObject>(ct).ConfigureAwait(false);
            return body?["db"]?.GetValue<bool>() == true || body?["available"]?.GetValue<bool>() == true;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or InvalidOperationException)
        {
            if (ct.IsCancellationRequested) throw;
            return false;
        }
    }

    /// <summary>POST <paramref name="route"/> with a JSON body; <paramref name="timeout"/> overrides the client's request timeout.</summary>
    public async Task<JsonObject> PostAsync(string route, object body, CancellationToken ct = default, TimeSpan? timeout = null)
    {
        var limit = timeout ?? _requestTimeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(limit);
        HttpResponseMessage response;
        try
        {
            response = await _http.PostAsJsonAsync(route, body, deadline.Token).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new AirbyteApiException($"The Airbyte server at {BaseUrl} does not answer ({ex.Message}); run ./build.sh ComposeUp first.", ex);
        }
        catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
        {
            // Our own timeout: the server accepted the connection but sent nothing back (hung or still starting).
            throw new AirbyteApiException($"The Airbyte server at {BaseUrl} does not answer (no response to {route} within {limit.TotalSeconds:0.#} s); run ./build.sh ComposeUp first, or check --server-url.", ex) { TimedOut = true };
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                throw new AirbyteApiException($"Airbyte API {route} answered {(int)response.StatusCode}: {FirstLine(text)}", (int)response.StatusCode);
            return JsonNode.Parse(text) as JsonObject ?? throw new AirbyteApiException($"Airbyte API {route} answered something that is not a JSON object.");
        }
    }

    /// <summary>
    /// The default workspace: workspaces/get_by_slug {"slug":"default"}, which every file-era version has (0.7 on);
    /// workspaces/list (0.27.1 on) only when the slug is not found.
    /// </summary>
    public async Task<string> DefaultWorkspaceIdAsync(CancellationToken ct = default)
    {
        try
        {
            var workspace = await PostAsync("workspaces/get_by_slug", new { slug = "default" }, ct).ConfigureAwait(false);
            if (workspace["workspaceId"]?.GetValue<string>() is { } id) return id;
        }
        catch (AirbyteApiException ex) when (ex.StatusCode is 404 or 422)
        {
        }
        JsonObject list;
        try
        {
            list = await PostAsync("workspaces/list", new { }, ct).ConfigureAwait(false);
        }
        catch (AirbyteApiException ex) when (ex.StatusCode == 404)
        {
            throw new AirbyteApiException($"The Airbyte server at {BaseUrl} has no workspace with the slug 'default' (and, before 0.27.1, no workspaces/list to find another).", ex);
        }
        return list["workspaces"]?.AsArray().FirstOrDefault()?["workspaceId"]?.GetValue<string>()
            ?? throw new AirbyteApiException("The Airbyte server lists no workspace.");
    }

    public async Task<IReadOnlyList<JsonObject>> ListAsync(string kind, string workspaceId, CancellationToken ct = default)
    {
        var list = await PostAsync($"{kind}/list", new { workspaceId }, ct).ConfigureAwait(false);
        return list[kind]?.AsArray().OfType<JsonObject>().ToList() ?? [];
    }

    private static string FirstLine(string text)
    {
        var line = text.Split('\n')[0].Trim();
        return line.Length > 300 ? line[..300] : line;
    }

    public void Dispose() => _http.Dispose();
}
