using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace AirbyteOps.Setups.Logs;

/// <summary>
/// The secret values a setup already knows (every value its configuration files and its database gave up to the sidecar),
/// looked for in the job logs as plain text: a connector that prints its configuration, or an error that quotes a
/// connection string, would otherwise carry a password into the shareable setup. Each occurrence is replaced by a
/// placeholder of that log file (<c>airbyteops-secret:…</c>, named after the file and the value's rank, never the value);
/// RestoreSetup puts them back and proves the log byte for byte (SHA-256). Values shorter than
/// <see cref="MinimumLength"/> characters are not replaced (they would match ordinary text): a log that holds one is
/// refused instead, naming the file. Secrets the setup does not know (a token a connector obtained at run time) cannot
/// be recognised; the README says so.
/// </summary>
internal sealed class LogSecrets
{
    public const int MinimumLength = 4;

    private readonly List<byte[]> _values;
    private readonly List<byte[]> _short;

    private LogSecrets(List<byte[]> values, List<byte[]> shortValues)
    {
        _values = values;
        _short = shortValues;
    }

    public int Count => _values.Count + _short.Count;

    /// <summary>
    /// Every known secret in each form it can take in a log: as stored (JSON-escaped; in the dump, COPY-escaped too) and
    /// as the text it stands for.
    /// </summary>
    public static LogSecrets From(IReadOnlyDictionary<string, SecretFileValues> sidecar)
    {
        var forms = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (file, values) in sidecar)
        {
            foreach (var raw in values.Values.Values)
            {
                var json = file.StartsWith(DatabaseManifest.Folder + "/", StringComparison.Ordinal) ? DumpSecrets.CopyUnescape(raw) : raw;
                forms.Add(raw);
                forms.Add(json);
                try
                {
                    if (JsonSerializer.Deserialize<string>($"\"{json}\"") is { } text) forms.Add(text);
                }
                catch (JsonException)
                {
                    // not a JSON string body: the raw forms are enough
                }
            }
        }
        forms.Remove("");
        var sorted = forms.Order(StringComparer.Ordinal).ToList();
        return new LogSecrets(
            sorted.Where(f => f.Length >= MinimumLength).Select(Encoding.UTF8.GetBytes).ToList(),
            sorted.Where(f => f.Length < MinimumLength).Select(Encoding.UTF8.GetBytes).ToList());
    }

    /// <summary>The placeholder of the value of rank <paramref name="rank"/> in log file <paramref name="file"/>.</summary>
    private static string PlaceholderFor(string file, int rank) => SecretVault.PlaceholderFor(file, $"/secret/{rank}");

    /// <summary>
    /// Writes a log with the known secrets replaced (longest match first, left to right), line by line. A value shorter than
    /// <see cref="MinimumLength"/> refuses the log, unless <paramref name="cutShort"/>: RestoreSetup's safety snapshot of a
    /// live folder it is about to replace cuts those too (the placeholders give the bytes back exactly; the snapshot is
    /// local and never meant to be shared, so a stored log made hard to read by them is the lesser harm than a restore
    /// blocked by a folder it would only set aside).
    /// </summary>
    internal sealed class Cutter(string file, Stream output, LogSecrets secrets, bool cutShort = false) : Database.LineSink
    {
        private readonly List<byte[]> _cut = cutShort ? [.. secrets._values, .. secrets._short] : secrets._values;
        private readonly IncrementalHash _original = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly IncrementalHash _stored = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly Dictionary<string, string> _used = new(StringComparer.Ordinal);
        private readonly List<(int Start, int Length, int Rank)> _matches = [];
        private long _originalSize;
        private long _storedSize;

        protected override void OnLine(ReadOnlySpan<byte> line)
        {
            _original.AppendData(line);
            _originalSize += line.Length;
            foreach (var value in cutShort ? (IEnumerable<byte[]>)[] : secrets._short)
            {
                if (line.IndexOf(value) >= 0)
                    throw new SetupException($"Job log '{LogsManifest.WorkspacePath(file)}' holds a secret value shorter than {MinimumLength} characters, which cannot be told apart from ordinary text; export without --include logs, or give that connection a longer password. Nothing was saved.");
            }
            _matches.Clear();
            for (var rank = 0; rank < _cut.Count; rank++)
            {
                var value = _cut[rank];
                var at = 0;
                while (at < line.Length)
                {
                    var found = line[at..].IndexOf(value);
                    if (found < 0) break;
                    _matches.Add((at + found, value.Length, rank));
                    at += found + 1;
                }
            }
            if (_matches.Count == 0)
            {
                Emit(line);
                return;
            }
            _matches.Sort((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : b.Length.CompareTo(a.Length));
            var position = 0;
            foreach (var (start, length, rank) in _matches)
            {
                if (start < position) continue; // inside a longer match already replaced
                var placeholder = PlaceholderFor(file, rank);
                _used[placeholder] = Encoding.UTF8.GetString(_cut[rank]);
                Emit(line[position..start]);
                Emit(Encoding.ASCII.GetBytes(placeholder));
                position = start + length;
            }
            Emit(line[position..]);
        }

        private void Emit(ReadOnlySpan<byte> bytes)
        {
            output.Write(bytes);
            _stored.AppendData(bytes);
            _storedSize += bytes.Length;
        }

        /// <summary>The stored file's size and SHA-256, and (when a secret was replaced) the sidecar values for this file.</summary>
        public (long Size, string Sha256, IReadOnlyList<SecretReference> References, SecretFileValues? Values) Finish()
        {
            Complete();
            output.Flush();
            var references = _used.Keys.Order(StringComparer.Ordinal).Select(p => new SecretReference(p, file, "(log text)")).ToList();
            var values = _used.Count == 0 ? null : new SecretFileValues(Hex(_original), _originalSize, new Dictionary<string, string>(_used, StringComparer.Ordinal));
            return (_storedSize, Hex(_stored), references, values);
        }
    }

    private static string Hex(IncrementalHash hash) => Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
}
