using System.Globalization;

namespace AirbyteOps.Workspace.Dbt;

/// <summary>dbt's verdict: the counts of its closing <c>Done.</c> line and the exit code of the failing (or last) command.</summary>
public sealed record DbtResult(int Pass, int Warn, int Error, int Skip, int Total, int ExitCode)
{
    /// <summary>The dbt command this result is about (debug, deps or run).</summary>
    public string Command { get; init; } = "run";
    /// <summary>False when dbt never printed its Done line (it stopped before running models).</summary>
    public bool DoneLineSeen { get; init; }

    public bool Succeeded => ExitCode == 0 && Error == 0;

    public string Verdict => Succeeded
        ? string.Create(CultureInfo.InvariantCulture, $"dbt {Command} succeeded: PASS={Pass} WARN={Warn} ERROR={Error} SKIP={Skip} TOTAL={Total}.")
        : DoneLineSeen
            ? string.Create(CultureInfo.InvariantCulture, $"dbt {Command} failed (exit code {ExitCode}): PASS={Pass} WARN={Warn} ERROR={Error} SKIP={Skip} TOTAL={Total}; dbt's errors are above.")
            : string.Create(CultureInfo.InvariantCulture, $"dbt {Command} failed (exit code {ExitCode}) before running any model; dbt's output above says why.");

    /// <summary>For build targets: a failed run becomes the one-line error the build prints.</summary>
    public DbtResult ThrowIfFailed() => Succeeded ? this : throw new WorkspaceException(Verdict);
}
