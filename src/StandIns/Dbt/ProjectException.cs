namespace AirbyteOps.StandIns.Dbt;

/// <summary>dbt_project.yml or profiles.yml cannot be used (dbt: "Encountered an error", exit code 2).</summary>
public sealed class ProjectException(string message) : Exception(message);
