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

    public AirbyteApi(Uri baseUrl, TimeSpan? requestTimeout = null)
    {
        BaseUrl = new Uri(baseUrl.ToString().TrimEnd('/') + "/");
        _http = new HttpClient { BaseAddress = BaseUrl, Timeout = requestTimeout ?? TimeSpan.FromSeconds(10) };
    }

    public Uri BaseUrl { get; }

    /// <summary>True when GET health answers {"db": true}: the server can read its default workspace.</summary>
    public async Task<bool> IsHealthyAsync(CancellationToken ct = default)
    {
        try
        {
            using var response = await _http.GetAsync("health", ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) return false;
            var body = await response.Content.ReadFromJsonAsync<JsonObject>(ct).ConfigureAwait(false);
            return body?["db"]?.GetValue<bool>() == true;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or InvalidOperationException)
        {
            if (ct.IsCancellationRequested) throw;
            return false;
        }
    }

    public async Task<JsonObject> PostAsync(string route, object body, CancellationToken ct = default)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.PostAsJsonAsync(route, body, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new AirbyteApiException($"The Airbyte server at {BaseUrl} does not answer ({ex.Message}); run ./build.sh ComposeUp first.", ex);
        }
        catch (TaskCanceledException ex) when (!ct.IsCancellationRequested)
        {
            // HttpClient's own timeout: the server accepted the connection but sent nothing back (hung or still starting).
            throw new AirbyteApiException($"The Airbyte server at {BaseUrl} does not answer (no response to {route} within {_http.Timeout.TotalSeconds:0.#} s); run ./build.sh ComposeUp first, or check --server-url.", ex);
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
                throw new AirbyteApiException($"Airbyte API {route} answered {(int)response.StatusCode}: {FirstLine(text)}");
            return JsonNode.Parse(text) as JsonObject ?? throw new AirbyteApiException($"Airbyte API {route} answered something that is not a JSON object.");
        }
    }

    public async Task<string> DefaultWorkspaceIdAsync(CancellationToken ct = default)
    {
        var list = await PostAsync("workspaces/list", new { }, ct).ConfigureAwait(false);
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
