namespace AirbyteOps.Tutorial;

/// <summary>One step of the tutorial: the target it runs (with the argument that tells it apart, if any), and the call that runs it.</summary>
public sealed record TutorialStep(string Target, string? Argument, Func<CancellationToken, Task> Run)
{
    /// <summary>What the step table shows: the target, and its argument.</summary>
    public string Name => Argument is null ? Target : $"{Target} {Argument}";
}
