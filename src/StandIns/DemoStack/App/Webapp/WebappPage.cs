using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using AirbyteOps.StandIns.DemoStack.Config;

namespace AirbyteOps.StandIns.DemoStack.Webapp;

/// <summary>
/// Stand-in for the 0.7 webapp: one page, rendered from what the server API returns (onboarding needed or not,
/// sources, destinations, connections). Configurations are not shown: they hold passwords.
/// </summary>
public static class WebappPage
{
    public static async Task<string> RenderAsync(HttpClient server, CancellationToken ct = default)
    {
        var html = new StringBuilder();
        html.Append("<!doctype html><html><head><meta charset=\"utf-8\"><title>Airbyte (demo stack stand-in)</title></head><body>");
        html.Append("<h1>Airbyte 0.7.1-alpha &mdash; demo stack stand-in</h1>");
        try
        {
            var health = await server.GetFromJsonAsync<JsonObject>("/api/v1/health", ct).ConfigureAwait(false);
            if (health?["db"]?.GetValue<bool>() != true)
            {
                html.Append("<p id=\"status\">Server is up but cannot read the default workspace yet.</p></body></html>");
                return html.ToString();
            }
            var workspace = await PostAsync(server, "workspaces/get", new JsonObject { ["workspaceId"] = ConfigType.DefaultWorkspaceId.ToString() }, ct).ConfigureAwait(false);
            var onboarding = workspace["initialSetupComplete"]?.GetValue<bool>() != true;
            html.Append(onboarding
                ? "<p id=\"onboarding\" data-needed=\"true\">Onboarding needed: the initial setup is not complete.</p>"
                : "<p id=\"onboarding\" data-needed=\"false\">Initial setup complete.</p>");
            var scope = new JsonObject { ["workspaceId"] = ConfigType.DefaultWorkspaceId.ToString() };
            var sources = await PostAsync(server, "sources/list", scope, ct).ConfigureAwait(false);
            var destinations = await PostAsync(server, "destinations/list", (JsonObject)scope.DeepClone(), ct).ConfigureAwait(false);
            var connections = await PostAsync(server, "connections/list", (JsonObject)scope.DeepClone(), ct).ConfigureAwait(false);
            Section(html, "sources", sources["sources"]?.AsArray(), s => $"{s?["name"]} ({s?["sourceName"]}) {s?["sourceId"]}");
            Section(html, "destinations", destinations["destinations"]?.AsArray(), d => $"{d?["name"]} ({d?["destinationName"]}) {d?["destinationId"]}");
            Section(html, "connections", connections["connections"]?.AsArray(), c => $"{c?["name"]} {c?["connectionId"]}: {c?["sourceId"]} &rarr; {c?["destinationId"]} [{c?["status"]}]");
        }
        catch (HttpRequestException ex)
        {
            html.Append($"<p id=\"status\">Cannot reach the server: {WebUtility.HtmlEncode(ex.Message)}</p>");
        }
        html.Append("</body></html>");
        return html.ToString();
    }

    private static void Section(StringBuilder html, string id, JsonArray? items, Func<JsonNode?, string> describe)
    {
        html.Append($"<h2>{id}</h2><ul id=\"{id}\" data-count=\"{items?.Count ?? 0}\">");
        foreach (var item in items ?? [])
            html.Append("<li>").Append(WebUtility.HtmlEncode(describe(item)).Replace("&amp;rarr;", "&rarr;", StringComparison.Ordinal)).Append("</li>");
        html.Append("</ul>");
    }

    private static async Task<JsonObject> PostAsync(HttpClient server, string path, JsonObject body, CancellationToken ct)
    {
        using var response = await server.PostAsJsonAsync("/api/v1/" + path, body, ct).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonObject>(ct).ConfigureAwait(false) ?? [];
    }
}
