using System.Net;
using System.Text.Json.Nodes;
using AirbyteOps.DemoStack.Tests.Support;

namespace AirbyteOps.DemoStack.Tests.Unit;

/// <summary>*_definition_specifications/get serve the real spec.json of the stand-in's connectors, in 0.7.1's shapes.</summary>
public sealed class SpecificationEndpointTests
{
    private static readonly OpenApiContract Spec = OpenApiContract.For(AirbyteReference.V071);

    [Theory]
    [InlineData("destination", ApiClient.PostgresDefinitionId, "destination-postgres")]
    [InlineData("destination", ApiClient.LocalCsvDefinitionId, "destination-csv")]
    [InlineData("source", ApiClient.ExchangeRatesDefinitionId, "source-exchangeratesapi-singer")]
    [InlineData("source", ApiClient.FileDefinitionId, "source-file")]
    public async Task The_spec_is_the_connectors_real_one_and_valid_under_the_0_7_1_spec(string kind, string definitionId, string connector)
    {
        await using var stack = await InProcessStack.StartAsync();
        var route = $"{kind}_definition_specifications/get";
        var request = new JsonObject { [$"{kind}DefinitionId"] = definitionId };

        var (status, answer) = await stack.Api.TryPostAsync(route, request);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Empty(Spec.CheckRequest(route, request));
        Assert.Empty(Spec.CheckResponse(route, 200, answer));
        var real = JsonNode.Parse(File.ReadAllText(Path.Combine(AirbyteReference.Root, "specs", "tutorial-b9bc9c8", connector, "spec.json")))!;
        Assert.True(JsonNode.DeepEquals(real["connectionSpecification"], answer["connectionSpecification"]));
        Assert.Equal(definitionId, answer[$"{kind}DefinitionId"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_unknown_definition_is_404_and_one_the_stand_in_cannot_run_names_its_image()
    {
        await using var stack = await InProcessStack.StartAsync();
        var (unknown, _) = await stack.Api.TryPostAsync("source_definition_specifications/get", new JsonObject { ["sourceDefinitionId"] = Guid.NewGuid().ToString() });
        // decd338e-...: the seed's Postgres source, which the stand-in does not run.
        var (other, answer) = await stack.Api.TryPostAsync("source_definition_specifications/get", new JsonObject { ["sourceDefinitionId"] = "decd338e-5647-4c0b-adf4-da0e75f5a750" });

        Assert.Equal(HttpStatusCode.NotFound, unknown);
        Assert.Equal(HttpStatusCode.InternalServerError, other);
        Assert.Contains("airbyte/source-postgres", answer["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
