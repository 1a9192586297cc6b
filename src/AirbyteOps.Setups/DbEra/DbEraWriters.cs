namespace AirbyteOps.Setups.DbEra;

/// <summary>The containers of a database-era deployment that write Airbyte's database, besides the server (never the database itself).</summary>
public static class DbEraWriters
{
    /// <summary>Container names of the real 0.30 – 0.63 compose files: held still with the server while the database is dumped or swapped; absent ones are skipped.</summary>
    public static readonly IReadOnlyList<string> Known =
        ["airbyte-server", "airbyte-worker", "airbyte-cron", "airbyte-temporal", "airbyte-api-server", "airbyte-connector-builder-server", "airbyte-scheduler"];
}
