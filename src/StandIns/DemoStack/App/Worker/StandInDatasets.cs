using System.Globalization;
using System.Text.Json.Nodes;

namespace AirbyteOps.StandIns.DemoStack.Worker;

/// <summary>
/// The built-in datasets behind the stand-in sources (shipped as files in Data/, because these machines have no
/// internet): exchange_rate in the shape of the tutorial's catalog, and a covid_epidemiology extract with the
/// columns of the public epidemiology.csv the tutorial reads.
/// </summary>
public static class StandInDatasets
{
    /// <summary>Property order of the tutorial's exchange_rate catalog.json, kept so generated files match it.</summary>
    private static readonly string[] ExchangeRateColumns =
    [
        "CHF", "HRK", "date", "MXN", "ZAR", "INR", "CNY", "THB", "AUD", "ILS", "KRW", "JPY", "PLN", "GBP", "IDR", "HUF", "PHP",
        "TRY", "RUB", "HKD", "ISK", "EUR", "DKK", "CAD", "MYR", "USD", "BGN", "NOK", "RON", "SGD", "CZK", "SEK", "NZD", "BRL",
    ];

    /// <summary>Property order of the tutorial's covid_epidemiology model.</summary>
    private static readonly string[] CovidColumns =
    [
        "date", "new_recovered", "new_tested", "total_deceased", "new_deceased", "new_confirmed", "total_confirmed", "total_tested", "total_recovered", "key",
    ];

    public static string DataDirectory { get; set; } = Path.Combine(AppContext.BaseDirectory, "Data");

    /// <summary>
    /// Where, under the local mount (/local in the worker, the host's LOCAL_DOCKER_MOUNT, default /tmp/airbyte_local),
    /// the stand-in exchange-rates source finds rates published after its built-in ones: the stand-in of the days
    /// exchangeratesapi.io publishes between two syncs. One JSON object per line, in the shape of Data/exchange_rate.jsonl.
    /// </summary>
    public const string ExchangeRateExtraRowsPath = "exchangeratesapi/exchange_rate.jsonl";

    /// <summary>
    /// The exchange_rate stream. Like the singer tap-exchangeratesapi behind airbyte/source-exchangeratesapi-singer,
    /// it is ordered by <c>date</c> and its state is <c>{"start_date": "YYYY-MM-DD"}</c>. Records are the built-in
    /// dataset followed by the extra rows file under <paramref name="localRoot"/> when it exists.
    /// </summary>
    public static StandInStream ExchangeRate(string? localRoot = null)
    {
        var properties = new JsonObject();
        foreach (var column in ExchangeRateColumns)
            properties[column] = new JsonObject { ["type"] = column == "date" ? "string" : "number" };
        return new StandInStream("exchange_rate", new JsonObject { ["type"] = "object", ["properties"] = properties }, () => ReadExchangeRates(localRoot))
        {
            CursorField = "date",
            StateKey = "start_date",
        };
    }

    public static StandInStream Covid(string streamName)
    {
        var properties = new JsonObject();
        foreach (var column in CovidColumns)
            properties[column] = new JsonObject { ["type"] = column is "date" or "key" ? "string" : "number" };
        return new StandInStream(streamName, new JsonObject { ["type"] = "object", ["properties"] = properties }, ReadCovid);
    }

    private static IEnumerable<JsonObject> ReadExchangeRates(string? localRoot)
    {
        var files = new List<string> { Path.Combine(DataDirectory, "exchange_rate.jsonl") };
        if (localRoot is not null && File.Exists(Path.Combine(localRoot, ExchangeRateExtraRowsPath)))
            files.Add(Path.Combine(localRoot, ExchangeRateExtraRowsPath));
        foreach (var (file, line, number) in files.SelectMany(f => File.ReadLines(f).Select((l, i) => (f, l, i + 1))))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonObject source;
            try
            {
                source = JsonNode.Parse(line) as JsonObject ?? throw new InvalidDataException("not a JSON object");
            }
            catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidDataException)
            {
                throw new InvalidDataException($"{Path.GetFileName(file)} line {number} is not a JSON object of rates: {ex.Message}", ex);
            }
            if (source["date"]?.GetValueKind() != System.Text.Json.JsonValueKind.String)
                throw new InvalidDataException($"{Path.GetFileName(file)} line {number} has no \"date\" string.");
            var record = new JsonObject();
            foreach (var column in ExchangeRateColumns)
                record[column] = source[column]?.DeepClone();
            yield return record;
        }
    }

    private static IEnumerable<JsonObject> ReadCovid()
    {
        using var reader = new StreamReader(Path.Combine(DataDirectory, "covid_epidemiology.csv"));
        var header = reader.ReadLine()?.Split(',') ?? throw new InvalidDataException("covid_epidemiology.csv is empty.");
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0) continue;
            var cells = line.Split(',');
            var byName = header.Zip(cells).ToDictionary(p => p.First, p => p.Second);
            var record = new JsonObject();
            foreach (var column in CovidColumns)
            {
                var cell = byName.GetValueOrDefault(column, "");
                // Like the File source (pandas): empty cells become null, numeric columns become numbers.
                record[column] = cell.Length == 0 ? null
                    : column is "date" or "key" ? JsonValue.Create(cell)
                    : JsonValue.Create(double.Parse(cell, CultureInfo.InvariantCulture));
            }
            yield return record;
        }
    }
}
