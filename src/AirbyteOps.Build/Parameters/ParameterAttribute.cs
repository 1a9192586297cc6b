namespace AirbyteOps.Build.Parameters;

/// <summary>
/// Marks a property of <see cref="BuildParameters"/> as a build parameter. Its command-line name is the property
/// name in kebab case (<c>PostgresPort</c> is <c>--postgres-port</c>), its environment variable AIRBYTEOPS_ and the
/// name in upper snake case unless given, and its default the property's initial value.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ParameterAttribute(string description) : Attribute
{
    public string Description { get; } = description;

    /// <summary>An environment variable other than the usual AIRBYTEOPS_NAME (e.g. POSTGRES_PASSWORD, as the tutorial names it).</summary>
    public string? EnvironmentVariable { get; init; }

    /// <summary>A secret is shown as [REDACTED] everywhere and never written to the schema or the parameters file.</summary>
    public bool Secret { get; init; }
}
