namespace AirbyteOps.StandIns.Dbt;

/// <summary>The command line is wrong (dbt answers these with exit code 2).</summary>
public sealed class UsageException(string message) : Exception(message);
