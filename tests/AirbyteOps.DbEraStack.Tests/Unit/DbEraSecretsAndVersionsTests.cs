using System.Text;
using AirbyteOps.Setups.Database;
using AirbyteOps.Setups.DbEra;

namespace AirbyteOps.DbEraStack.Tests.Unit;

/// <summary>The database era's secrets in a dump (the secrets table's payloads, whole) and the version order the downgrade refusal uses.</summary>
public sealed class DbEraSecretsAndVersionsTests
{
    // As pg_dump writes 0.50.33's tables: a payload that is not JSON, one with COPY escapes, a NULL; a coordinate reference in actor.configuration.
    private const string Dump =
        "COPY public.secrets (coordinate, payload) FROM stdin;\n" +
        "airbyte_workspace_w_secret_a_v1\tplain-pa55\n" +
        "airbyte_workspace_w_secret_b_v1\ttab\\there\\\\back\n" +
        "airbyte_workspace_w_secret_c_v1\t\\N\n" +
        "\\.\n\n" +
        "COPY public.actor (id, configuration) FROM stdin;\n" +
        "1\t{\"host\": \"h\", \"password\": {\"_secret\": \"airbyte_workspace_w_secret_a_v1\"}, \"access_token\": \"inline-tok\"}\n" +
        "\\.\n";

    [Fact]
    public void Every_payload_of_the_secrets_table_and_every_inline_secret_is_cut_out_and_put_back_byte_for_byte()
    {
        var original = Encoding.UTF8.GetBytes(Dump);
        var (result, storedBytes) = DumpSecrets.Extract("database/airbyte.sql", original);
        var stored = Encoding.UTF8.GetString(storedBytes);

        foreach (var secret in new[] { "plain-pa55", "tab\\there", "inline-tok" }) Assert.DoesNotContain(secret, stored, StringComparison.Ordinal);
        Assert.Contains("airbyte_workspace_w_secret_c_v1\t\\N\n", stored, StringComparison.Ordinal); // NULL is no secret
        Assert.Contains("\"host\": \"h\"", stored, StringComparison.Ordinal);
        Assert.Contains("public.secrets/0/payload", result.References.Select(r => r.Pointer));
        Assert.Contains("public.secrets/1/payload", result.References.Select(r => r.Pointer));
        Assert.DoesNotContain("public.secrets/2/payload", result.References.Select(r => r.Pointer));
        Assert.Contains("public.actor/0/configuration/access_token", result.References.Select(r => r.Pointer));
        Assert.Equal("tab\\there\\\\back", result.Values.Values[result.References.First(r => r.Pointer == "public.secrets/1/payload").Placeholder]);
        Assert.Equal(original, DumpSecrets.Reinsert("database/airbyte.sql", storedBytes, result.References, result.Values));
    }

    [Theory]
    [InlineData("0.50.24.006", "0.50.4.001", 1)]
    [InlineData("0.40.23.002", "0.50.24.006", -1)]
    [InlineData("0.50.33", "0.50.33", 0)]
    [InlineData("0.50.33-alpha", "0.50.33", 0)]
    [InlineData("0.63.8", "0.50.33", 1)]
    [InlineData("0.50.33", "0.50.33.1", -1)]
    public void Versions_compare_part_by_part_as_numbers(string a, string b, int sign) =>
        Assert.Equal(sign, Math.Sign(EraGate.CompareVersions(a, b)));
}
