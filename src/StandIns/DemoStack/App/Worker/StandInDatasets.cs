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

    public static StandInStream ExchangeRate()
    {
        var properties = new JsonObject();
        foreach (var column in ExchangeRateColumns)
            properties[column] = new JsonObject { ["type"] = column == "date" ? "string" : "number" };
        return new StandInStream("exchange_rate", new JsonObject { ["type"] = "object", ["properties"] = properties }, ReadExchangeRates);
    }

    public static StandInStream Covid(string streamName)
    {
        var properties = new JsonObject();
        foreach (var column in CovidColumns)
            properties[column] = new JsonObject { ["type"] = column is "date" or "key" ? "string" : "number" };
        return new StandInStream(streamName, new JsonObject { ["type"] = "object", ["properties"] = properties }, ReadCovid);
    }

    private static IEnumerable<JsonObject> ReadExchangeRates()
    {
        foreach (var line in File.ReadLines(Path.Combine(DataDirectory, "exchange_rate.jsonl")))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            var source = JsonNode.Parse(line)!.AsObject();
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
