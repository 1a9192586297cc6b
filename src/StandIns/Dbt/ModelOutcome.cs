namespace AirbyteOps.StandIns.Dbt;

/// <summary>What happened to one model in a run: its status and, for errors, dbt's error block.</summary>
public sealed record ModelOutcome(string Name, string Status, string? ErrorKind, string? Message, string ProjectRelativePath);
