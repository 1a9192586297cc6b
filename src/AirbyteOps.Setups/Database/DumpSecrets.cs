using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace AirbyteOps.Setups.Database;

/// <summary>
/// Secrets in a plain pg_dump, processed as it streams, one line at a time (memory never holds the dump): every column
/// value of every COPY row that is JSON (jobs.config holds the source and destination configurations, with their
/// passwords) is scanned with <see cref="SecretScanner"/>, and each secret string is cut out of the line's bytes (still
/// in COPY's escaping) and replaced by a placeholder, exactly as in a connection file (<see cref="Extractor"/>);
/// <see cref="Reinserter"/> puts the bytes back and proves the result is the dumped file (SHA-256).
/// The extractor also counts the rows per table and computes the dump's identity, from the same pass.
/// </summary>
internal static class DumpSecrets
{
    /// <summary>
    /// What one pass over a dump found: placeholders and their values (with the dump's own SHA-256 and size), rows per
    /// table, the stored file's SHA-256 and size, and the dump's identity (<see cref="DatabaseManifest.Content"/>).
    /// </summary>
    public sealed record Result(IReadOnlyList<SecretReference> References, SecretFileValues Values, IReadOnlyDictionary<string, long> Rows,
        string StoredSha256, long StoredSize, string Identity)
    {
        /// <summary>The attempts the dump holds (job id, attempt number of every row of the attempts table): whose job logs go with it.</summary>
        public IReadOnlyList<(long Job, long Attempt)> Attempts { get; init; } = [];
    }

    /// <summary>
    /// Columns whose whole value is a secret, whatever it looks like: the payloads of Airbyte's secrets table
    /// (<c>secrets(coordinate, payload)</c>, the default secret persistence of 0.30 – 0.63).
    /// </summary>
    public static readonly IReadOnlySet<string> WholeSecretColumns = new HashSet<string>(StringComparer.Ordinal) { "public.secrets/payload" };

    private static readonly byte[] PrefixBytes = Encoding.ASCII.GetBytes(SecretVault.PlaceholderPrefix);
    private static readonly int PlaceholderLength = SecretVault.PlaceholderFor("", "").Length;

    /// <summary>pg_dump (15.14+) writes a random key on these lines; the identity leaves them out.</summary>
    internal static bool IsRestrictLine(ReadOnlySpan<byte> line) => line.StartsWith("\\restrict "u8) || line.StartsWith("\\unrestrict "u8);

    /// <summary>The whole-buffer form (tests, small dumps): the stored bytes and what the pass found.</summary>
    public static (Result Result, byte[] Stored) Extract(string file, byte[] dump, IReadOnlySet<string>? extraKeys = null)
    {
        using var stored = new MemoryStream(dump.Length);
        var extractor = new Extractor(file, stored, cutSecrets: true, extraKeys);
        extractor.Write(dump);
        return (extractor.Finish(), stored.ToArray());
    }

    /// <summary>The whole-buffer form of <see cref="Reinserter"/>: the dumped bytes, proved by their SHA-256.</summary>
    public static byte[] Reinsert(string file, byte[] stored, IReadOnlyList<SecretReference> references, SecretFileValues values)
    {
        using var result = new MemoryStream();
        var reinserter = new Reinserter(file, result, values);
        reinserter.Write(stored);
        reinserter.Finish().ThrowIfNotOriginal(file, references, values);
        return result.ToArray();
    }

    /// <summary>
    /// Takes a dump as written to it (pg_dump's stdout) and writes the stored form to <c>output</c>: secrets replaced by
    /// placeholders when <c>cutSecrets</c>, else the bytes as they are (rows and identity still counted).
    /// </summary>
    internal sealed class Extractor(string file, Stream output, bool cutSecrets, IReadOnlySet<string>? extraKeys) : LineSink
    {
        private readonly IncrementalHash _original = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly IncrementalHash _identity = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly IncrementalHash _stored = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly List<SecretReference> _references = [];
        private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
        private readonly Dictionary<string, long> _rows = new(StringComparer.Ordinal);
        private readonly List<(int Start, int End, string Placeholder)> _cuts = [];
        private long _originalSize;
        private long _storedSize;
        private string? _table;
        private string[] _columns = [];
        private long _row;
        private readonly List<(long, long)> _attempts = [];
        private int _jobColumn = -1;
        private int _attemptColumn = -1;

        protected override void OnLine(ReadOnlySpan<byte> whole)
        {
            _original.AppendData(whole);
            _originalSize += whole.Length;
            if (!IsRestrictLine(whole)) _identity.AppendData(whole);
            var line = whole.EndsWith("\n"u8) ? whole[..^1] : whole;
            _cuts.Clear();
            if (_table is null)
            {
                if (line.StartsWith("COPY "u8) && line.EndsWith(" FROM stdin;"u8))
                {
                    (_table, _columns) = ParseCopy(Encoding.UTF8.GetString(line));
                    _rows[_table] = 0;
                    _row = 0;
                    var attempts = _table.EndsWith(".attempts", StringComparison.Ordinal);
                    _jobColumn = attempts ? Array.IndexOf(_columns, "job_id") : -1;
                    _attemptColumn = attempts ? Array.IndexOf(_columns, "attempt_number") : -1;
                }
            }
            else if (line.SequenceEqual("\\."u8))
            {
                _table = null;
            }
            else
            {
                _rows[_table]++;
                if (_jobColumn >= 0 && _attemptColumn >= 0) CollectAttempt(line);
                if (cutSecrets) ScanRow(line);
                _row++;
            }
            var at = 0;
            foreach (var (start, stop, placeholder) in _cuts)
            {
                Emit(whole[at..start]);
                Emit(Encoding.ASCII.GetBytes(placeholder));
                at = stop;
            }
            Emit(whole[at..]);
        }

        private void Emit(ReadOnlySpan<byte> bytes)
        {
            output.Write(bytes);
            _stored.AppendData(bytes);
            _storedSize += bytes.Length;
        }

        private void CollectAttempt(ReadOnlySpan<byte> line)
        {
            long? job = null, attempt = null;
            var column = 0;
            var start = 0;
            for (var i = 0; i <= line.Length; i++)
            {
                if (i < line.Length && line[i] != (byte)'\t') continue;
                if (column == _jobColumn || column == _attemptColumn)
                {
                    var value = long.TryParse(line[start..i], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : (long?)null;
                    if (column == _jobColumn) job = value;
                    else attempt = value;
                }
                start = i + 1;
                column++;
            }
            if (job is { } j && attempt is { } a) _attempts.Add((j, a));
        }

        private void ScanRow(ReadOnlySpan<byte> line)
        {
            var fieldStart = 0;
            var column = 0;
            for (var i = 0; i <= line.Length; i++)
            {
                if (i < line.Length && line[i] != (byte)'\t') continue;
                var name = column < _columns.Length ? _columns[column] : column.ToString(CultureInfo.InvariantCulture);
                if (WholeSecretColumns.Contains($"{_table}/{name}"))
                    CutWholeField(line, fieldStart, i, $"{_table}/{_row}/{name}");
                else if (i - fieldStart >= 2 && line[fieldStart] is (byte)'{' or (byte)'[')
                    ScanField(line, fieldStart, i, $"{_table}/{_row}/{name}");
                fieldStart = i + 1;
                column++;
            }
        }

        /// <summary>The whole field (as COPY escapes it) is a secret; NULL (\N) and empty values are not.</summary>
        private void CutWholeField(ReadOnlySpan<byte> line, int start, int end, string where)
        {
            if (end - start == 0 || (end - start == 2 && line[start] == (byte)'\\' && line[start + 1] == (byte)'N')) return;
            var placeholder = SecretVault.PlaceholderFor(file, where);
            _cuts.Add((start, end, placeholder));
            _references.Add(new SecretReference(placeholder, file, where));
            _values[placeholder] = Encoding.UTF8.GetString(line[start..end]);
        }

        private void ScanField(ReadOnlySpan<byte> line, int start, int end, string where)
        {
            var (json, map) = Unescape(line, start, end);
            IReadOnlyList<SecretField> fields;
            try
            {
                fields = SecretScanner.Find(json, extraKeys);
            }
            catch (System.Text.Json.JsonException)
            {
                return; // not JSON after all
            }
            foreach (var field in fields)
            {
                var from = map[field.Start];
                var to = map[field.Start + field.Length];
                var pointer = $"{where}{field.Pointer}";
                var placeholder = SecretVault.PlaceholderFor(file, pointer);
                _cuts.Add((from, to, placeholder));
                _references.Add(new SecretReference(placeholder, file, pointer));
                _values[placeholder] = Encoding.UTF8.GetString(line[from..to]);
            }
        }

        /// <summary>Ends the input and tells what the pass found.</summary>
        public Result Finish()
        {
            Complete();
            output.Flush();
            return new Result(_references, new SecretFileValues(Hex(_original), _originalSize, _values), _rows, Hex(_stored), _storedSize, Hex(_identity)) { Attempts = _attempts };
        }
    }

    /// <summary>
    /// Takes a stored dump as written to it and writes it to <c>output</c> with every placeholder of <c>values</c> replaced
    /// by its value (none when <c>values</c> is null: then it only hashes). Never throws on a bad dump while streaming (psql
    /// may be reading the output); <see cref="Finish"/> tells what it saw, and <see cref="Outcome.ThrowIfNotOriginal"/> judges it.
    /// </summary>
    /// <remarks><paramref name="repeats"/>: a placeholder may stand in several places (a job log quoting one password twice).</remarks>
    internal sealed class Reinserter(string file, Stream output, SecretFileValues? values, bool repeats = false) : LineSink
    {
        private readonly IncrementalHash _stored = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly IncrementalHash _result = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly IncrementalHash _identity = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
        private readonly List<string> _duplicates = [];
        private long _storedSize;
        private long _resultSize;

        public string File => file;

        protected override void OnLine(ReadOnlySpan<byte> line)
        {
            _stored.AppendData(line);
            _storedSize += line.Length;
            var restrict = IsRestrictLine(line);
            var at = 0;
            while (values is not null)
            {
                var found = line[at..].IndexOf(PrefixBytes);
                if (found < 0) break;
                var start = at + found;
                if (start + PlaceholderLength > line.Length) break;
                var placeholder = Encoding.ASCII.GetString(line.Slice(start, PlaceholderLength));
                if (!values.Values.TryGetValue(placeholder, out var raw) || (!_seen.Add(placeholder) && !repeats))
                {
                    if (values.Values.ContainsKey(placeholder)) _duplicates.Add(placeholder);
                    Emit(line[at..(start + PrefixBytes.Length)], restrict);
                    at = start + PrefixBytes.Length;
                    continue;
                }
                Emit(line[at..start], restrict);
                Emit(Encoding.UTF8.GetBytes(raw), restrict);
                at = start + PlaceholderLength;
            }
            Emit(line[at..], restrict);
        }

        private void Emit(ReadOnlySpan<byte> bytes, bool restrict)
        {
            output.Write(bytes);
            _result.AppendData(bytes);
            if (!restrict) _identity.AppendData(bytes);
            _resultSize += bytes.Length;
        }

        public Outcome Finish()
        {
            Complete();
            output.Flush();
            return new Outcome(Hex(_stored), _storedSize, Hex(_result), _resultSize, Hex(_identity), _seen, _duplicates);
        }
    }

    /// <summary>What a <see cref="Reinserter"/> saw: the stored file's and the result's SHA-256 and size, the result's identity, the placeholders.</summary>
    internal sealed record Outcome(string StoredSha256, long StoredSize, string ResultSha256, long ResultSize, string Identity,
        IReadOnlySet<string> Seen, IReadOnlyList<string> Duplicates)
    {
        /// <summary>Each referenced placeholder exactly once, and the result is the dumped file (SHA-256); else a one-line refusal.</summary>
        public void ThrowIfNotOriginal(string file, IReadOnlyList<SecretReference> references, SecretFileValues values)
        {
            if (Duplicates.Count > 0)
                throw new SetupException($"The database dump '{file}' holds placeholder {Duplicates[0]} more than once; the setup was edited by hand or is damaged.");
            var missing = references.Select(r => r.Placeholder).Where(p => !Seen.Contains(p)).Distinct(StringComparer.Ordinal).ToList();
            if (missing.Count > 0)
                throw new SetupException($"The database dump '{file}' lacks {missing.Count} of its placeholders (e.g. {missing[0]}); the setup was edited by hand or is damaged.");
            if (ResultSha256 != values.Sha256 || ResultSize != values.Size)
                throw new SetupException($"Putting the secrets back into '{file}' does not give the dumped database (checksum differs); the secrets file belongs to another export of this setup.");
        }
    }

    /// <summary>A value as it stands in a COPY row (text format escapes) as the text it stands for.</summary>
    internal static string CopyUnescape(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        return Encoding.UTF8.GetString(Unescape(bytes, 0, bytes.Length).Bytes);
    }

    /// <summary>COPY text format's escapes undone; map[i] is the line offset where unescaped byte i starts (map[n] = end).</summary>
    private static (byte[] Bytes, int[] Map) Unescape(ReadOnlySpan<byte> line, int start, int end)
    {
        var bytes = new List<byte>(end - start);
        var map = new List<int>(end - start + 1);
        for (var i = start; i < end;)
        {
            map.Add(i);
            if (line[i] != (byte)'\\' || i + 1 >= end)
            {
                bytes.Add(line[i]);
                i++;
                continue;
            }
            var next = line[i + 1];
            switch (next)
            {
                case (byte)'b': bytes.Add(8); i += 2; break;
                case (byte)'f': bytes.Add(12); i += 2; break;
                case (byte)'n': bytes.Add(10); i += 2; break;
                case (byte)'r': bytes.Add(13); i += 2; break;
                case (byte)'t': bytes.Add(9); i += 2; break;
                case (byte)'v': bytes.Add(11); i += 2; break;
                case >= (byte)'0' and <= (byte)'7':
                {
                    var value = 0;
                    var j = i + 1;
                    while (j < end && j < i + 4 && line[j] is >= (byte)'0' and <= (byte)'7') value = value * 8 + (line[j++] - '0');
                    bytes.Add((byte)value);
                    i = j;
                    break;
                }
                default: bytes.Add(next); i += 2; break; // \\ and any other escaped character stand for themselves
            }
        }
        map.Add(end);
        return (bytes.ToArray(), map.ToArray());
    }

    private static (string Table, string[] Columns) ParseCopy(string line)
    {
        // COPY public.jobs (id, config_type, ...) FROM stdin;
        var body = line["COPY ".Length..^" FROM stdin;".Length];
        var open = body.IndexOf(" (", StringComparison.Ordinal);
        if (open < 0) return (body, []);
        var columns = body[(open + 2)..].TrimEnd(')').Split(", ").Select(c => c.Trim('"')).ToArray();
        return (body[..open], columns);
    }

    private static string Hex(IncrementalHash hash) => Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
}
