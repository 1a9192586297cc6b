namespace AirbyteOps.DemoStack.Tests.Support;

/// <summary>The demo stack's folders in the checkout.</summary>
public static class DemoStackPaths
{
    public static string DemoStack => Path.Combine(RepositoryPaths.Root, "src", "StandIns", "DemoStack");

    public static string SeedConfig => Path.Combine(DemoStack, "images", "airbyte-seed", "config");
}
