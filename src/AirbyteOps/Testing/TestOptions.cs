namespace AirbyteOps.Testing;

/// <summary>The repository whose tests/ to run, where the TRX results go, and an optional dotnet test --filter.</summary>
public sealed record TestOptions(string RepositoryRoot, string ResultsDirectory, string? Filter);
