namespace AirbyteOps.Tutorial;

/// <summary>
/// One step of the tutorial: the target it runs (with the argument that tells it apart, if any), the call that runs it,
/// and, when the step leaves a lasting effect, the check of that effect in the world (null when it is there, else what is
/// missing: "the destination does not answer a query"). A step with an effect check counts as done only while its
/// effect is there; one without (a wipe, a listing) is trusted to the state file.
/// </summary>
public sealed record TutorialStep(string Target, string? Argument, Func<CancellationToken, Task> Run)
{
    /// <summary>What the step table shows: the target, and its argument.</summary>
    public string Name => Argument is null ? Target : $"{Target} {Argument}";

    /// <summary>Null when the step's lasting effect is there, else what is missing. Null check: no lasting effect to check.</summary>
    public Func<CancellationToken, Task<string?>>? Effect { get; init; }
}
