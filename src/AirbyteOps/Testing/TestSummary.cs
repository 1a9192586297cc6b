using System.Xml.Linq;

namespace AirbyteOps.Testing;

/// <summary>Counts read from the TRX files that dotnet test writes, summed over every test project.</summary>
public sealed record TestSummary(int Passed, int Failed, int Skipped)
{
    public static TestSummary Empty { get; } = new(0, 0, 0);

    public TestSummary Add(TestSummary other) => new(Passed + other.Passed, Failed + other.Failed, Skipped + other.Skipped);

    /// <summary>Reads the Counters element of a TRX file; a test that did not run counts as skipped.</summary>
    public static TestSummary FromTrx(string path)
    {
        var doc = XDocument.Load(path);
        var counters = doc.Descendants().FirstOrDefault(e => e.Name.LocalName == "Counters")
            ?? throw new InvalidDataException($"{path} has no Counters element.");
        int Read(string name) => int.TryParse(counters.Attribute(name)?.Value, out var v) ? v : 0;
        var failed = Read("failed") + Read("error") + Read("timeout") + Read("aborted");
        // xunit's skipped tests appear in TRX as results that were not executed while the notExecuted counter stays 0:
        // count what was not executed (total - executed), or the counter where a runner does fill it.
        var notRun = Math.Max(Read("total") - Read("executed"), Read("notExecuted"));
        return new TestSummary(Read("passed"), failed, notRun + Read("inconclusive"));
    }

    /// <summary>The closing line CI reads.</summary>
    public override string ToString() => $"{Passed} passed, {Failed} failed, {Skipped} skipped";
}
