using System.Text;

namespace AirbyteOps.Setups.Database;

/// <summary>
/// Secrets in a plain pg_dump: every column value of every COPY row that is JSON (jobs.config holds the source and
/// destination configurations, with their passwords) is scanned with <see cref="SecretScanner"/>, and each secret string
/// is cut out of the dump's bytes (still in COPY's escaping) and replaced by a placeholder, exactly as in a connection
/// file; <see cref="Reinsert"/> puts the bytes back and proves the result is the dumped file (SHA-256).
/// Also counts the rows per table, from the same pass.
/// </summary>
internal static class DumpSecrets
{
    public sealed record Result(byte[] Stored, IReadOnlyList<SecretReference> References, SecretFileValues Values, IReadOnlyDictionary<string, long> Rows);

    /// <summary>
    /// Columns whose whole value is a secret, whatever it looks like: the payloads of Airbyte's secrets table
    /// (<c>secrets(coordinate, payload)</c>, the default secret persistence of 0.30 – 0.63).
    /// </summary>
    public static readonly IReadOnlySet<string> WholeSecretColumns = new HashSet<string>(StringComparer.Ordinal) { "public.secrets/payload" };

    private static readonly byte[] PrefixBytes = Encoding.ASCII.GetBytes(SecretVault.PlaceholderPrefix);

    public static Result Extract(string file, byte[] dump, IReadOnlySet<string>? extraKeys = null)
    {
        var references = new List<SecretReference>();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var rows = new Dictionary<string, long>(StringComparer.Ordinal);
        var cuts = new List<(int Start, int End, string Placeholder)>();
        string? table = null;
        string[] columns = [];
        long row = 0;
        var position = 0;
        while (position < dump.Length)
        {
            var end = Array.IndexOf(dump, (byte)'\n', position);
            if (end < 0) end = dump.Length;
            var line = dump.AsSpan(position, end - position);
            if (table is null)
            {
                if (line.StartsWith("COPY "u8) && line.EndsWith(" FROM stdin;"u8))
                {
                    (table, columns) = ParseCopy(Encoding.UTF8.GetString(line));
                    rows[table] = 0;
                    row = 0;
                }
            }
            else if (line.SequenceEqual("\\."u8))
            {
                table = null;
            }
            else
            {
                rows[table]++;
                var fieldStart = position;
                var column = 0;
                for (var i = position; i <= end; i++)
                {
                    if (i < end && dump[i] != (byte)'\t') continue;
                    var columnName = column < columns.Length ? columns[column] : column.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    if (WholeSecretColumns.Contains($"{table}/{columnName}")) CutWholeField(dump, fieldStart, i, $"{table}/{row}/{columnName}", file, cuts, references, values);
                    else ScanField(dump, fieldStart, i, $"{table}/{row}/{columnName}", file, extraKeys, cuts, references, values);
                    fieldStart = i + 1;
                    column++;
                }
                row++;
            }
            position = end + 1;
        }
        using var stored = new MemoryStream(dump.Length);
        var at = 0;
        foreach (var (start, stop, placeholder) in cuts)
        {
            stored.Write(dump, at, start - at);
            stored.Write(Encoding.ASCII.GetBytes(placeholder));
            at = stop;
        }
        stored.Write(dump, at, dump.Length - at);
        return new Result(stored.ToArray(), references, new SecretFileValues(SecretVault.Sha256Hex(dump), dump.LongLength, values), rows);
    }

    /// <summary>The whole field (as COPY escapes it) is a secret; NULL (\N) and empty values are not.</summary>
    private static void CutWholeField(byte[] dump, int start, int end, string where, string file,
        List<(int, int, string)> cuts, List<SecretReference> references, Dictionary<string, string> values)
    {
        if (end - start == 0 || (end - start == 2 && dump[start] == (byte)'\\' && dump[start + 1] == (byte)'N')) return;
        var placeholder = SecretVault.PlaceholderFor(file, where);
        cuts.Add((start, end, placeholder));
        references.Add(new SecretReference(placeholder, file, where));
        values[placeholder] = Encoding.UTF8.GetString(dump, start, end - start);
    }

    private static void ScanField(byte[] dump, int start, int end, string where, string file, IReadOnlySet<string>? extraKeys,
        List<(int, int, string)> cuts, List<SecretReference> references, Dictionary<string, string> values)
    {
        if (end - start < 2 || (dump[start] != (byte)'{' && dump[start] != (byte)'[')) return;
        var (json, map) = Unescape(dump, start, end);
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
            cuts.Add((from, to, placeholder));
            references.Add(new SecretReference(placeholder, file, pointer));
            values[placeholder] = Encoding.UTF8.GetString(dump, from, to - from);
        }
    }

    /// <summary>COPY text format's escapes undone; map[i] is the dump offset where unescaped byte i starts (map[n] = end).</summary>
    private static (byte[] Bytes, int[] Map) Unescape(byte[] dump, int start, int end)
    {
        var bytes = new List<byte>(end - start);
        var map = new List<int>(end - start + 1);
        for (var i = start; i < end;)
        {
            map.Add(i);
            if (dump[i] != (byte)'\\' || i + 1 >= end)
            {
                bytes.Add(dump[i]);
                i++;
                continue;
            }
            var next = dump[i + 1];
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
                    while (j < end && j < i + 4 && dump[j] is >= (byte)'0' and <= (byte)'7') value = value * 8 + (dump[j++] - '0');
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

    /// <summary>
    /// The dump with every placeholder replaced by its value, in one pass; each referenced placeholder must occur exactly
    /// once, and the result must hash to the dumped file's SHA-256.
    /// </summary>
    public static byte[] Reinsert(string file, byte[] stored, IReadOnlyList<SecretReference> references, SecretFileValues values)
    {
        var wanted = references.Select(r => r.Placeholder).ToHashSet(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var placeholderLength = SecretVault.PlaceholderFor("", "").Length;
        using var result = new MemoryStream(checked((int)values.Size));
        var at = 0;
        var span = stored.AsSpan();
        while (true)
        {
            var found = span[at..].IndexOf(PrefixBytes);
            if (found < 0) break;
            var start = at + found;
            if (start + placeholderLength > stored.Length) break;
            var placeholder = Encoding.ASCII.GetString(stored, start, placeholderLength);
            if (!wanted.Contains(placeholder))
            {
                result.Write(stored, at, start + PrefixBytes.Length - at);
                at = start + PrefixBytes.Length;
                continue;
            }
            if (!seen.Add(placeholder))
                throw new SetupException($"The database dump '{file}' holds placeholder {placeholder} more than once; the setup was edited by hand or is damaged.");
            if (!values.Values.TryGetValue(placeholder, out var raw))
                throw new SetupException($"The secrets file has no value for {placeholder} ({file}).");
            result.Write(stored, at, start - at);
            result.Write(Encoding.UTF8.GetBytes(raw));
            at = start + placeholderLength;
        }
        result.Write(stored, at, stored.Length - at);
        if (seen.Count != wanted.Count)
            throw new SetupException($"The database dump '{file}' lacks {wanted.Count - seen.Count} of its placeholders (e.g. {wanted.Except(seen).First()}); the setup was edited by hand or is damaged.");
        var bytes = result.ToArray();
        if (SecretVault.Sha256Hex(bytes) != values.Sha256)
            throw new SetupException($"Putting the secrets back into '{file}' does not give the dumped database (checksum differs); the secrets file belongs to another export of this setup.");
        return bytes;
    }
}
