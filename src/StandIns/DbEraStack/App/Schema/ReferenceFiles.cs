namespace AirbyteOps.StandIns.DbEraStack.Schema;

/// <summary>Airbyte 0.50.33's schema dumps and migration list, carried in the binary (embedded, verbatim).</summary>
public static class ReferenceFiles
{
    public static string ConfigsSchemaDump => Read("configs_schema_dump.txt");
    public static string JobsSchemaDump => Read("jobs_schema_dump.txt");
    public static string FlywayMigrationList => Read("flyway-migrations.txt");
    public static string SeedDefinitions => Read("definitions.json");

    private static string Read(string name)
    {
        using var stream = typeof(ReferenceFiles).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The resource {name} is not in the stand-in binary.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
