namespace AirbyteOps.StandIns.Dbt;

/// <summary>A model that cannot be rendered (unknown macro, bad Jinja): that model fails, as in dbt.</summary>
public sealed class CompilationException(string message) : Exception(message);
