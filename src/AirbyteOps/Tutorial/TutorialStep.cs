namespace AirbyteOps.Tutorial;

/// <summary>One step of the tutorial: a name the report shows, and the operation that does it.</summary>
public sealed record TutorialStep(string Name, Func<CancellationToken, Task> Run);
