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
        var result = DumpSecrets.Extract("database/airbyte.sql", original);
        var stored = Encoding.UTF8.GetString(result.Stored);

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

        var back = DumpSecrets.Reinsert("database/airbyte.sql", result.Stored, result.References, result.Values);
        Assert.Equal(original, back);
    }

    [Fact]
    public void Reinsert_refuses_a_dump_whose_placeholder_was_removed_or_whose_values_are_from_another_export()
    {
        var result = DumpSecrets.Extract("database/airbyte.sql", Encoding.UTF8.GetBytes(Dump));
        var edited = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(result.Stored).Replace(result.References[0].Placeholder, "x", StringComparison.Ordinal));
        var missing = Assert.Throws<SetupException>(() => DumpSecrets.Reinsert("database/airbyte.sql", edited, result.References, result.Values));
        Assert.Contains("lacks 1 of its placeholders", missing.Message);

        var other = result.Values with { Values = result.Values.Values.ToDictionary(kv => kv.Key, kv => kv.Value + "x") };
        var wrong = Assert.Throws<SetupException>(() => DumpSecrets.Reinsert("database/airbyte.sql", result.Stored, result.References, other));
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
