using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace AirbyteOps.StandIns.DemoStack.Worker;

/// <summary>
/// Stand-in for airbyte/destination-csv 0.7: &lt;destination_path&gt;/&lt;stream&gt;_raw.csv under the local mount (/local,
/// the host's /tmp/airbyte_local), columns ab_id, emitted_at (epoch milliseconds), data (the record as JSON).
/// </summary>
public sealed class StandInCsvWriter : IStandInDestination
{
    private readonly string _directory;
    private readonly string _shownDirectory;

    public StandInCsvWriter(JsonObject configuration, string localMount)
    {
        var configured = configuration["destination_path"]?.GetValue<string>();
        if (string.IsNullOrWhiteSpace(configured))
            throw new InvalidDataException("The Local CSV destination has no destination_path.");
        // destination_path is documented as starting with the /local mount; a relative path means under /local.
        var relative = configured.StartsWith("/local", StringComparison.Ordinal) ? configured["/local".Length..] : configured;
        relative = relative.TrimStart('/');
        var root = Path.GetFullPath(localMount);
        var full = Path.GetFullPath(Path.Combine(root, relative));
        if (full != root && !full.StartsWith(root.TrimEnd('/') + "/", StringComparison.Ordinal))
            throw new InvalidDataException($"destination_path '{configured}' leaves the /local mount.");
        _directory = full;
        _shownDirectory = "/local" + (full.Length > root.TrimEnd('/').Length ? full[root.TrimEnd('/').Length..] : "");
    }

    public string FilePath(string streamName) => Path.Combine(_directory, $"{streamName}_raw.csv");

    public string Describe(string streamName) => $"{_shownDirectory.TrimEnd('/')}/{streamName}_raw.csv";

    public async Task WriteStreamAsync(string streamName, IReadOnlyList<RawRecord> records, bool append = false, CancellationToken ct = default)
    {
        Directory.CreateDirectory(_directory);
        var target = FilePath(streamName);
        if (append && File.Exists(target))
        {
            // Append mode (incremental): the new records after the ones already there.
            await using var appender = new StreamWriter(target, append: true, new UTF8Encoding(false));
            foreach (var record in records) await appender.WriteAsync((Line(record) + "\r\n").AsMemory(), ct).ConfigureAwait(false);
            return;
        }
        // Written aside and moved in place, like the real one's temporary file, so readers never see half a file.
        var temporary = Path.Combine(_directory, $".{streamName}_raw.{Guid.NewGuid():N}.tmp");
        await using (var writer = new StreamWriter(temporary, append: false, new UTF8Encoding(false)))
        {
            await writer.WriteAsync("ab_id,emitted_at,data\r\n".AsMemory(), ct).ConfigureAwait(false);
            foreach (var record in records)
                await writer.WriteAsync((Line(record) + "\r\n").AsMemory(), ct).ConfigureAwait(false);
        }
        File.Move(temporary, target, overwrite: true);
    }

    private static string Line(RawRecord record) =>
        string.Join(',', record.AbId.ToString(), record.EmittedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), Quote(record.Data));

    /// <summary>Minimal quoting, as Apache Commons CSV's default format does.</summary>
    internal static string Quote(string value) =>
        value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
