namespace AirbyteOps.Workspace.Dbt;

/// <summary>Masks and forwards each line of one dbt command's output, and remembers its Done line.</summary>
internal sealed class DbtOutputWatcher(SecretMasker masker, Action<string> log)
{
    private (int Pass, int Warn, int Error, int Skip, int Total)? _done;

    public void OnLine(string line)
    {
        var masked = masker.Apply(line);
        _done = DbtOutput.ParseDoneLine(masked) ?? _done;
        log(masked);
    }

    public DbtResult Result(string command, int exitCode) => _done is { } d
        ? new DbtResult(d.Pass, d.Warn, d.Error, d.Skip, d.Total, exitCode) { Command = command, DoneLineSeen = true }
        : new DbtResult(0, 0, 0, 0, 0, exitCode) { Command = command };
}
