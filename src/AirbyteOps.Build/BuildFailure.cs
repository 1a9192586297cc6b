namespace AirbyteOps.Build;

/// <summary>
/// What the build prints when a target fails for a reason the libraries did not foresee (a bug) or was interrupted:
/// still one line, with where the details are.
/// </summary>
public sealed class BuildFailure : AirbyteOpsException
{
    public BuildFailure(string message, Exception? inner = null) : base(message, inner) { }
}
