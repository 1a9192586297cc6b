using System.Text;
using AirbyteOps.Docker;

namespace AirbyteOps.Setups.Tests;

public sealed class SecretTests
{
    private const string File = "config/DESTINATION_CONNECTION/x.json";

    [Fact]
    public void Placeholders_round_trip_byte_for_byte_including_escapes_and_odd_whitespace()
    {
        var original = Encoding.UTF8.GetBytes(SampleTree.SourceJson);
        var (stored, references, values) = SecretVault.Extract("config/SOURCE_CONNECTION/s.json", original);
        Assert.Equal(2, references.Count);
        var text = Encoding.UTF8.GetString(stored);
        Assert.DoesNotContain("sk-ApiKey-7731", text);
        Assert.DoesNotContain("w0rd", text);
        Assert.Contains("visible-value", text);
        using (System.Text.Json.JsonDocument.Parse(stored)) { } // still valid JSON
        Assert.Equal(original, SecretVault.Reinsert("config/SOURCE_CONNECTION/s.json", stored, references, values));
    }

    [Fact]
    public void Secrets_are_found_at_any_depth_under_secret_keys_and_containers()
    {
        var json = Encoding.UTF8.GetBytes(SampleTree.DestinationJson);
        var pointers = SecretScanner.Find(json).Select(f => f.Pointer).ToList();
        Assert.Equal(["/configuration/password", "/configuration/credentials/auth_type", "/configuration/credentials/private_key", "/configuration/credentials/refresh"], pointers);
        var withSpec = SecretScanner.Find(json, SecretScanner.SpecSecretKeys(Encoding.UTF8.GetBytes(SampleTree.DestinationDefinitionJson))).Select(f => f.Pointer);
        Assert.Contains("/configuration/custom_field", withSpec);
        Assert.DoesNotContain("/configuration/schema", withSpec);
    }

    [Theory]
    [InlineData("password", true)]
    [InlineData("tunnel_user_password", true)]
    [InlineData("api_key", true)]
    [InlineData("apiKey", true)]
    [InlineData("access_key_id", true)]
    [InlineData("client_secret", true)]
    [InlineData("private-key", true)]
    [InlineData("credentials_json", true)]
    [InlineData("refresh_token", true)]
    [InlineData("host", false)]
    [InlineData("username", false)]
    [InlineData("database", false)]
    public void Secret_key_names(string key, bool secret) => Assert.Equal(secret, AirbyteOps.Secrets.SecretKeyPolicy.IsSecretKey(key));

    [Fact]
    public void Placeholders_are_stable_and_do_not_depend_on_the_value()
    {
        var a = SecretVault.Extract(File, Encoding.UTF8.GetBytes("{\"password\":\"one\"}"));
        var b = SecretVault.Extract(File, Encoding.UTF8.GetBytes("{\"password\":\"two\"}"));
        Assert.Equal(a.References.Single().Placeholder, b.References.Single().Placeholder);
        Assert.Equal(a.Stored, b.Stored);
        Assert.NotEqual(a.Values.Sha256, b.Values.Sha256);
    }

    [Fact]
    public void A_stale_secrets_file_is_caught_by_the_checksum()
    {
        var one = SecretVault.Extract(File, Encoding.UTF8.GetBytes("{\"password\":\"one\"}"));
        var two = SecretVault.Extract(File, Encoding.UTF8.GetBytes("{\"password\":\"two\",\"x\":1}"));
        var error = Assert.Throws<SetupException>(() => SecretVault.Reinsert(File, one.Stored, one.References, two.Values with { Values = one.Values.Values }));
        Assert.Contains("checksum", error.Message);
    }

    [Fact]
    public void The_secrets_file_is_private_and_round_trips()
    {
        var path = Path.Combine(Path.GetTempPath(), $"abops-test-{Guid.NewGuid():N}.secrets.json");
        try
        {
            var values = SecretVault.Extract(File, Encoding.UTF8.GetBytes("{\"token\":\"a\\\"b<+>\\u00e9\"}")).Values;
            SecretVault.WriteFile(path, new Dictionary<string, SecretFileValues> { [File] = values });
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, System.IO.File.GetUnixFileMode(path));
            var read = SecretVault.ReadFile(path);
            Assert.True(SecretVault.SameValues(read, new Dictionary<string, SecretFileValues> { [File] = values }));
        }
        finally
        {
            System.IO.File.Delete(path);
        }
    }
}
