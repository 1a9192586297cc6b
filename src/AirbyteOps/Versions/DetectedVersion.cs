namespace AirbyteOps.Versions;

/// <summary>The deployment's Airbyte version (null when it cannot be told) and where it was read, for the one line that says it.</summary>
public sealed record DetectedVersion(string? Version, string From)
{
    public override string ToString() => Version is null
        ? $"Airbyte version: unknown ({From}); targets use the forms of 0.7.1, the tutorial's, and try the others when refused (pass --airbyte-version to say it)."
        : $"Airbyte version: {Version} ({From}).";
}
