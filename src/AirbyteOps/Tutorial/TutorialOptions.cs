namespace AirbyteOps.Tutorial;

/// <summary>The state file that remembers finished steps, the steps in the tutorial's order, and whether to forget what is remembered.</summary>
public sealed record TutorialOptions(string StateFile, IReadOnlyList<TutorialStep> Steps, bool Restart);
