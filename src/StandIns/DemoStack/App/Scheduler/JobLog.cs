using System.Text;

namespace AirbyteOps.StandIns.DemoStack.Scheduler;

/// <summary>
/// An attempt's logs.log, written line by line (flushed each line, so it grows while the job runs), in the shape of
/// Airbyte 0.7's job log: "2021-01-05 14:30:45 INFO (/tmp/workspace/5/0) Origin(method) - message".
/// Never given a configuration, so no password reaches it. Created afresh: an attempt folder left by a deployment
/// whose jobs database was wiped is overwritten, not appended to.
/// </summary>
public sealed class JobLog : IDisposable
{
    private readonly StreamWriter _writer;
    private readonly string _workDirectory;
    private readonly Lock _gate = new();

    public JobLog(string path, string workDirectory)
    {
        _workDirectory = workDirectory;
        _writer = new StreamWriter(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite), new UTF8Encoding(false)) { AutoFlush = true };
    }

    public void Info(string origin, string message) => Write("INFO", origin, message);

    public void Debug(string origin, string message) => Write("DEBUG", origin, message);

    public void Error(string origin, string message) => Write("ERROR", origin, message);

    private void Write(string level, string origin, string message)
    {
        var line = $"{DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} {level} ({_workDirectory}) {origin} - {message}";
        lock (_gate) _writer.WriteLine(line);
    }

    public void Dispose() => _writer.Dispose();
}
