namespace AirbyteOps.Build.Parameters;

/// <summary>A parameter value the build cannot use; the message names the parameter, what it got and what it takes.</summary>
public sealed class ParameterException : AirbyteOpsException
{
    public ParameterException(string message) : base(message) { }
    public ParameterException(string message, Exception inner) : base(message, inner) { }
}
