namespace AirbyteOps.Docker;

/// <summary>Labels this project puts on what it creates, so it can tell its own things from a user's.</summary>
public static class Labels
{
    public const string Managed = "org.airbyteops.managed";
    public const string Role = "org.airbyteops.role";
    public const string Recipe = "org.airbyteops.recipe";
    /// <summary>On helper containers: the process that created them (<see cref="HelperOwner"/>), so a leftover of a killed run can be told and removed.</summary>
    public const string Owner = "org.airbyteops.owner";
}
