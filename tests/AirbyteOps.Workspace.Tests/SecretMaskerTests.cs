namespace AirbyteOps.Workspace.Tests;

public sealed class SecretMaskerTests
{
    private const string Profiles = """
        config:
          printer_width: 120
        normalize:
          outputs:
            prod:
              dbname: postgres
              host: localhost
              pass: "Pa55-word!"
              port: 3000
              schema: quarantine
              type: postgres
              user: postgres
            other:
              password: s3cond
              type: postgres
          target: prod
        """;

    [Fact]
    public void Masks_every_password_of_profiles_yml_in_any_line()
    {
        var masker = SecretMasker.FromProfilesYaml(Profiles);

        var line = masker.Apply("could not connect: password Pa55-word! rejected; also s3cond; user postgres");

        Assert.Equal("could not connect: password [REDACTED] rejected; also [REDACTED]; user postgres", line);
        Assert.Equal(2, masker.Count);
    }

    [Fact]
    public void Broken_yaml_still_has_its_password_masked()
    {
        var masker = SecretMasker.FromProfilesYaml("normalize:\n  outputs: [unclosed\n    pass: hunter2\n");

        Assert.DoesNotContain("hunter2", masker.Apply("x hunter2 y"), StringComparison.Ordinal);
    }

    [Fact]
    public void The_longer_secret_is_masked_whole()
    {
        var masker = new SecretMasker(["abc", "abcdef"]);

        Assert.Equal("[REDACTED] [REDACTED]", masker.Apply("abcdef abc"));
    }
}
