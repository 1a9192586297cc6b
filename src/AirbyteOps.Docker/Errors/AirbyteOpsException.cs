namespace AirbyteOps;

/// <summary>
/// The one base of every failure the user can act on. Its message is one line that names the thing (container,
/// volume, file, parameter, port) and, where there is one, the fix. The build prints only this message; anything
/// else that reaches the build is a bug and is reported as one. Each concern has its own subtype, so a caller can
/// tell an engine failure from a bad setup without reading text.
/// </summary>
public abstract class AirbyteOpsException : Exception
{
    protected AirbyteOpsException(string message) : base(message) { }
    protected AirbyteOpsException(string message, Exception? inner) : base(message, inner) { }
}
