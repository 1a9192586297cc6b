namespace AirbyteOps.Tutorial;

/// <summary>A tutorial step failed; the message names the step, its one-line cause, and that a second run resumes there.</summary>
public sealed class TutorialStepFailedException : AirbyteOpsException
{
    public TutorialStepFailedException(string message, Exception inner) : base(message, inner) { }
}
