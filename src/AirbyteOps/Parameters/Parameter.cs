namespace AirbyteOps.Parameters;

/// <summary>One build parameter: its command-line name, what it means, the environment variable that may set it, and whether it is a secret.</summary>
public sealed record Parameter(string Name, string Description, string EnvironmentVariable, bool Secret = false)
{
    /// <summary>The usual environment variable of a parameter: AIRBYTEOPS_ and its name in upper snake case.</summary>
    public static string DefaultEnvironmentVariable(string name) => "AIRBYTEOPS_" + name.ToUpperInvariant().Replace('-', '_');

    public static Parameter Of(string name, string description) => new(name, description, DefaultEnvironmentVariable(name));
}
