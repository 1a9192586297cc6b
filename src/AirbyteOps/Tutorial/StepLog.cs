namespace AirbyteOps.Tutorial;

/// <summary>
/// The label of the tutorial step whose code is running, for the lines it logs while another step runs at the same time
/// (<see cref="TutorialStep.BesideNext"/>): the build's log puts it in front of each line, so two steps' lines can be told
/// apart. It flows with the step's async calls and is empty outside such a step.
/// </summary>
public static class StepLog
{
    private static readonly AsyncLocal<string?> Current = new();

    /// <summary>The line as the log should print it: "[03 ComposeUp] line" inside a step running beside another, else as it is.</summary>
    public static string Prefixed(string line) =>
        Current.Value is not { } label ? line
        : string.Join('\n', line.Split('\n').Select(l => $"[{label}] {l}"));

    /// <summary>Marks the calling async flow (and what it starts) as <paramref name="label"/>'s, until that flow's method returns.</summary>
    internal static void Enter(string label) => Current.Value = label;
}
