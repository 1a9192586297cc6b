using AirbyteOps.Processes;

namespace AirbyteOps.Testing;

/// <summary>Runs every test project under tests/ (a *.Tests.csproj) with dotnet test, one after the other, and sums their TRX results.</summary>
public sealed class TestOperation
{
    public async Task<TestSummary> RunAsync(TestOptions options, Action<string> log, CancellationToken ct = default)
    {
        var (repositoryRoot, resultsDirectory, filter) = (options.RepositoryRoot, options.ResultsDirectory, options.Filter);
        if (Directory.Exists(resultsDirectory)) Directory.Delete(resultsDirectory, recursive: true);
        Directory.CreateDirectory(resultsDirectory);
        var projects = Directory.GetFiles(Path.Combine(repositoryRoot, "tests"), "*.csproj", SearchOption.AllDirectories)
            .Where(p => !p.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            // Only test projects: tests/ also holds libraries they share (AirbyteOps.TestSupport), which have no tests to run.
            .Where(IsTestProject)
            .Order(StringComparer.Ordinal).ToList();
        var summary = TestSummary.Empty;
        var broken = new List<string>();
        foreach (var project in projects)
        {
            var name = Path.GetFileNameWithoutExtension(project);
            log($"Running {name} ...");
            var trx = $"{name}.trx";
            var args = new List<string> { "test", project, "-c", "Release", "--nologo", "--logger", $"trx;LogFileName={trx}", "--results-directory", resultsDirectory };
            if (!string.IsNullOrWhiteSpace(filter)) args.AddRange(["--filter", filter]);
            var exit = await ProcessRunner.RunAsync("dotnet", args, log, ct: ct).ConfigureAwait(false);
            var trxPath = Path.Combine(resultsDirectory, trx);
            if (File.Exists(trxPath)) summary = summary.Add(TestSummary.FromTrx(trxPath));
            else if (exit != 0)
            {
                // A project that does not build or crashes before reporting counts as one failure, not as nothing.
                broken.Add(name);
                summary = summary.Add(new TestSummary(0, 1, 0));
            }
        }
        if (broken.Count > 0) log($"These test projects did not produce results (build or host failure): {string.Join(", ", broken)}.");
        return summary;
    }

    /// <summary>True for a test project by its name (AirbyteOps.Something.Tests); false for a shared library under tests/.</summary>
    public static bool IsTestProject(string csproj) => Path.GetFileNameWithoutExtension(csproj).EndsWith(".Tests", StringComparison.Ordinal);
}
