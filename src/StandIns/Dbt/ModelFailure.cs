namespace AirbyteOps.StandIns.Dbt;

/// <summary>The database refused a model's statement; the message is what dbt prints under "Database Error".</summary>
public sealed class ModelFailure(string message) : Exception(message);
