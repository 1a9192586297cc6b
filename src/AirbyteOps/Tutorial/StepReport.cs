namespace AirbyteOps.Tutorial;

public sealed record StepReport(string Step, string Outcome, TimeSpan Took);
