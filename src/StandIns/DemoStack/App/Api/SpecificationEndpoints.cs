using System.Text.Json.Nodes;
using AirbyteOps.StandIns.DemoStack.Config;

namespace AirbyteOps.StandIns.DemoStack.Api;

/// <summary>
/// source_definition_specifications/get and destination_definition_specifications/get, as 0.7.1 answers them
/// (SourceDefinitionSpecificationRead: the definition id, documentationUrl, connectionSpecification). The real server ran
/// the connector image's spec command; the stand-in serves the real spec.json files of the four connectors it runs
/// (Specs/, copied as-is from Airbyte at the tutorial's commit). Any other definition fails naming its image, as a sync
/// of it does here.
/// </summary>
public static class SpecificationEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("source_definition_specifications/get", (HttpRequest request, ConfigRepository repo, CancellationToken ct) =>
            AnswerAsync(request, repo, "source", ConfigType.StandardSourceDefinition, ct));
        api.MapPost("destination_definition_specifications/get", (HttpRequest request, ConfigRepository repo, CancellationToken ct) =>
            AnswerAsync(request, repo, "destination", ConfigType.StandardDestinationDefinition, ct));
    }

    private static async Task<IResult> AnswerAsync(HttpRequest request, ConfigRepository repo, string kind, string type, CancellationToken ct)
    {
        var body = await ApiRequest.BodyAsync(request, ct).ConfigureAwait(false);
        var idField = $"{kind}DefinitionId";
        var id = ApiRequest.RequiredId(body, idField);
        var definition = await repo.GetAsync(type, id, ct).ConfigureAwait(false) ?? throw ApiException.NotFound(type, id.ToString());
        var repository = definition["dockerRepository"]?.GetValue<string>() ?? "";
        var spec = Load(repository)
            ?? throw new ApiException(500, $"The stand-in has no connector image {repository}:{definition["dockerImageTag"]?.GetValue<string>()} to ask for its spec (it runs only {string.Join(", ", Shipped)}).");
        return Results.Json(new JsonObject
        {
            [idField] = id.ToString(),
            ["documentationUrl"] = spec["documentationUrl"]?.DeepClone(),
            ["connectionSpecification"] = spec["connectionSpecification"]!.DeepClone(),
        });
    }

    private static readonly string[] Shipped = ["airbyte/source-exchangeratesapi-singer", "airbyte/source-file", "airbyte/destination-csv", "airbyte/destination-postgres"];

    private static JsonObject? Load(string repository)
    {
        if (!Shipped.Contains(repository, StringComparer.Ordinal)) return null;
        using var stream = typeof(SpecificationEndpoints).Assembly.GetManifestResourceStream($"specs/{repository["airbyte/".Length..]}/spec.json");
        return stream is null ? null : JsonNode.Parse(stream) as JsonObject;
    }
}
