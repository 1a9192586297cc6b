using System.Text.Json.Nodes;

namespace AirbyteOps.StandIns.DemoStack.Worker;

/// <summary>
/// Which connector images the stand-in can imitate, by docker repository. Real Airbyte ran the image; the stand-in
/// runs built-in code that behaves like it for the tutorial's connectors and says plainly when it has none.
/// </summary>
public static class StandInConnectors
{
    public const string ExchangeRatesSource = "airbyte/source-exchangeratesapi-singer";
    public const string FileSource = "airbyte/source-file";
    public const string CsvDestination = "airbyte/destination-csv";
    public const string PostgresDestination = "airbyte/destination-postgres";

    /// <summary>
    /// The streams a source of this image offers for this configuration (the stand-in of discover); their records are
    /// read from the built-in datasets and, for exchange rates, the extra rows file under <paramref name="localRoot"/>
    /// (the worker's /local) when given.
    /// </summary>
    public static IReadOnlyList<StandInStream> Discover(string dockerRepository, JsonObject configuration, string? localRoot = null) => Repository(dockerRepository) switch
    {
        ExchangeRatesSource => [StandInDatasets.ExchangeRate(localRoot)],
        // The File source names its one stream after dataset_name; its URL is not fetched (no internet):
        // the stand-in always serves its built-in covid epidemiology extract.
        FileSource => [StandInDatasets.Covid(configuration["dataset_name"]?.GetValue<string>() is { Length: > 0 } name ? name : "covid_epidemiology")],
        var other => throw new NotSupportedException($"The demo stack has no stand-in for source image '{other}' (it imitates {ExchangeRatesSource} and {FileSource}).")
    };

    public static bool IsSupportedDestination(string dockerRepository) =>
        Repository(dockerRepository) is CsvDestination or PostgresDestination;

    /// <summary>"airbyte/source-file:0.1.4" → "airbyte/source-file".</summary>
    public static string Repository(string image)
    {
        var slash = image.LastIndexOf('/');
        var colon = image.LastIndexOf(':');
        return colon > slash ? image[..colon] : image;
    }
}
