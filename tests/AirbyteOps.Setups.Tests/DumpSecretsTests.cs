using System.Text;
using AirbyteOps.Setups.Database;

namespace AirbyteOps.Setups.Tests;

/// <summary>Secrets cut out of a plain pg_dump's COPY rows and put back byte for byte (no engine needed).</summary>
public sealed class DumpSecretsTests
{
    // A pg_dump fragment as Postgres 15 writes it: jsonb text in COPY's escaping (backslashes doubled, a tab as \t).
    private const string Dump =
        "--\n-- PostgreSQL database dump\n--\n\n" +
        "COPY public.jobs (id, config_type, scope, config, status) FROM stdin;\n" +
        "1\tsync\tc1\t{\"sync\": {\"source\": {\"password\": \"pw-one\", \"host\": \"h\"}, \"credentials\": {\"token\": \"t\\\\\\\"s3cr3t\\\\ten\"}}}\tsucceeded\n" +
        "2\tsync\tc1\t{\"sync\": {\"source\": {\"password\": \"pw\\\\\\\\two€\"}, \"note\": \"password\"}}\tsucceeded\n" +
        "3\tsync\tc1\t\\N\tpending\n" +
        "\\.\n\n" +
        "COPY public.attempts (id, output) FROM stdin;\n" +
        "1\t{\"state\": {\"cursor\": \"2020-11-03\"}}\n" +
        "\\.\n\n" +
        "SELECT pg_catalog.setval('public.jobs_id_seq', 3, true);\n";

    [Fact]
    public void Secrets_are_cut_out_of_JSON_columns_counted_per_table_and_put_back_byte_for_byte()
    {
        var original = Encoding.UTF8.GetBytes(Dump);
        var (result, storedBytes) = DumpSecrets.Extract("database/airbyte.sql", original);
        var stored = Encoding.UTF8.GetString(storedBytes);

        Assert.Equal(3, result.References.Count);
        Assert.DoesNotContain("pw-one", stored);
        Assert.DoesNotContain("s3cr3t", stored);
        Assert.DoesNotContain("two", stored);
        Assert.Contains("\"host\": \"h\"", stored);
        Assert.Contains("\"note\": \"password\"", stored); // a value that merely looks like a key stays
        Assert.Contains("\"cursor\": \"2020-11-03\"", stored);
        Assert.Equal(["public.jobs/0/config/sync/source/password", "public.jobs/0/config/sync/credentials/token", "public.jobs/1/config/sync/source/password"],
            result.References.Select(r => r.Pointer));
        // The raw bytes as they stood in the dump, escapes included.
        Assert.Equal("t\\\\\\\"s3cr3t\\\\ten", result.Values.Values[result.References[1].Placeholder]);
        Assert.Equal(new Dictionary<string, long> { ["public.jobs"] = 3, ["public.attempts"] = 1 }, result.Rows);

        var back = DumpSecrets.Reinsert("database/airbyte.sql", storedBytes, result.References, result.Values);
        Assert.Equal(original, back);
    }

    [Fact]
    public void Reinsert_refuses_a_dump_whose_placeholder_was_removed_or_whose_values_are_from_another_export()
    {
        var (result, storedBytes) = DumpSecrets.Extract("database/airbyte.sql", Encoding.UTF8.GetBytes(Dump));
        var edited = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(storedBytes).Replace(result.References[0].Placeholder, "x", StringComparison.Ordinal));
        var missing = Assert.Throws<SetupException>(() => DumpSecrets.Reinsert("database/airbyte.sql", edited, result.References, result.Values));
        Assert.Contains("lacks 1 of its placeholders", missing.Message);

        var other = result.Values with { Values = result.Values.Values.ToDictionary(kv => kv.Key, kv => kv.Value + "x") };
        var wrong = Assert.Throws<SetupException>(() => DumpSecrets.Reinsert("database/airbyte.sql", storedBytes, result.References, other));
        Assert.Contains("checksum differs", wrong.Message);
    }
}

/// <summary>pg_dump (15.14+) writes a random \restrict key into every dump; the same database must still count as the same.</summary>
public sealed class DumpIdentityTests
{
    [Fact]
    public void Dumps_that_differ_only_in_the_restrict_key_have_one_identity_and_any_other_byte_changes_it()
    {
        static byte[] Dump(string key, string row) => Encoding.UTF8.GetBytes($"--\n\\restrict {key}\n\nCOPY public.jobs (id) FROM stdin;\n{row}\n\\.\n\n\\unrestrict {key}\n");
        Assert.Equal(DatabaseCapture.Identity(Dump("aaa", "1")), DatabaseCapture.Identity(Dump("bbb", "1")));
        Assert.NotEqual(DatabaseCapture.Identity(Dump("aaa", "1")), DatabaseCapture.Identity(Dump("aaa", "2")));
    }
}

/// <summary>
/// The dump streams through the secret cutter and back, line by line: the result does not depend on how the bytes are
/// chunked, and the memory held stays flat whatever the size of the dump (measured live, after a full collection, while
/// a 64 MiB dump streams out of a generator into a file and back through the reinserting read stream).
/// </summary>
public sealed class DumpStreamingTests
{
    [Fact]
    public void Writing_the_dump_in_chunks_of_any_size_gives_the_same_stored_bytes_and_secrets()
    {
        var dump = Encoding.UTF8.GetBytes(
            "--\n\\restrict k1\nCOPY public.jobs (id, config) FROM stdin;\n" +
            "1\t{\"sync\": {\"password\": \"chunk-secret-1\", \"host\": \"h\"}}\n" +
            "2\t{\"sync\": {\"api_key\": \"chunk-secret-2\"}}\n\\.\n\\unrestrict k1\n-- no newline at the end");
        var (whole, wholeStored) = DumpSecrets.Extract("database/airbyte.sql", dump);
        foreach (var size in new[] { 1, 3, 7, 64 })
        {
            using var stored = new MemoryStream();
            var extractor = new DumpSecrets.Extractor("database/airbyte.sql", stored, cutSecrets: true, null);
            for (var at = 0; at < dump.Length; at += size) extractor.Write(dump.AsSpan(at, Math.Min(size, dump.Length - at)));
            var result = extractor.Finish();
            Assert.Equal(wholeStored, stored.ToArray());
            Assert.Equal(whole.Values.Values, result.Values.Values);
            Assert.Equal(whole.Identity, result.Identity);
        }
        Assert.Equal(2, whole.References.Count);
        Assert.DoesNotContain("chunk-secret", Encoding.UTF8.GetString(wholeStored));
        Assert.EndsWith("-- no newline at the end", Encoding.UTF8.GetString(wholeStored));
    }

    [Fact]
    public async Task A_64_MiB_dump_streams_out_and_back_with_the_live_heap_staying_under_16_MiB()
    {
        using var folder = new TempDirectory();
        var file = Path.Combine(folder.Path, "airbyte.sql");
        const long total = 64L << 20;
        var peak = 0L;
        void Sample() => peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true));

        DumpSecrets.Result extracted;
        var source = new GeneratedDump(total, Sample);
        await using (var output = new FileStream(file, FileMode.CreateNew))
        {
            var extractor = new DumpSecrets.Extractor("database/airbyte.sql", output, cutSecrets: true, null);
            await source.CopyToAsync(extractor);
            extracted = extractor.Finish();
        }
        Assert.True(extracted.Values.Size >= total, $"the generator wrote {extracted.Values.Size} bytes");
        Assert.Equal(source.Secrets, extracted.References.Count);
        Assert.Equal(source.Rows, extracted.Rows["public.jobs"]);

        DumpSecrets.Reinserter? reinserter = null;
        await using (var stored = new FileStream(file, FileMode.Open))
        {
            await using var back = new LineTransformReadStream(stored, o => reinserter = new DumpSecrets.Reinserter("database/airbyte.sql", o, extracted.Values));
            var buffer = new byte[1 << 16];
            var reads = 0;
            while (await back.ReadAsync(buffer) > 0)
                if (++reads % 128 == 0) Sample();
        }
        var outcome = reinserter!.Finish();
        outcome.ThrowIfNotOriginal("database/airbyte.sql", extracted.References, extracted.Values);
        Assert.Equal(source.Sha256(), outcome.ResultSha256);
        Assert.True(peak < 16L << 20, $"the live heap reached {peak / (1 << 20)} MiB while a {total >> 20} MiB dump streamed");
    }

    /// <summary>A plain-dump-shaped stream of about <c>size</c> bytes: ~1 KiB COPY rows of JSON, every 50th with a password.</summary>
    private sealed class GeneratedDump(long size, Action sample) : ReadOnlyTestStream
    {
        private readonly System.Security.Cryptography.IncrementalHash _hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        private readonly string _padding = new('x', 900);
        private byte[] _line = Encoding.ASCII.GetBytes("--\n-- PostgreSQL database dump\n--\n\nCOPY public.jobs (id, config) FROM stdin;\n");
        private int _lineAt;
        private long _written;
        private bool _ended;

        public long Rows { get; private set; }
        public int Secrets { get; private set; }
        public string Sha256() => Convert.ToHexString(_hash.GetHashAndReset()).ToLowerInvariant();

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_lineAt == _line.Length)
            {
                if (_ended) return 0;
                if (_written >= size)
                {
                    _line = Encoding.ASCII.GetBytes("\\.\n\nSELECT pg_catalog.setval('public.jobs_id_seq', 1, true);\n");
                    _ended = true;
                }
                else
                {
                    var secret = Rows % 50 == 0 ? $", \"password\": \"generated-secret-{Rows}\"" : "";
                    if (secret.Length > 0) Secrets++;
                    _line = Encoding.ASCII.GetBytes($"{Rows + 1}\t{{\"sync\": {{\"host\": \"h{Rows}\"{secret}, \"note\": \"{_padding}\"}}}}\n");
                    Rows++;
                    if (Rows % 8192 == 0) sample();
                }
                _lineAt = 0;
            }
            var n = Math.Min(count, _line.Length - _lineAt);
            Array.Copy(_line, _lineAt, buffer, offset, n);
            _hash.AppendData(buffer, offset, n);
            _lineAt += n;
            _written += n;
            return n;
        }
    }
}
