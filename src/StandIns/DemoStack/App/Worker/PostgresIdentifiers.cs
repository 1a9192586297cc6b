namespace AirbyteOps.StandIns.DemoStack.Worker;

/// <summary>Quoting for identifiers and literals the stand-in puts into SQL it builds (names come from configs).</summary>
public static class PostgresIdentifiers
{
    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    public static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}
