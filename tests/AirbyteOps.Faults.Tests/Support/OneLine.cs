namespace AirbyteOps.Faults.Tests.Support;

/// <summary>What every user-facing failure must be: one line that names the thing and the fix.</summary>
public static class OneLine
{
    public static void Assert(Exception error, params string[] mustContain)
    {
        Xunit.Assert.DoesNotContain('\n', error.Message);
        Xunit.Assert.DoesNotContain('\r', error.Message);
        foreach (var text in mustContain) Xunit.Assert.Contains(text, error.Message, StringComparison.Ordinal);
    }
}
