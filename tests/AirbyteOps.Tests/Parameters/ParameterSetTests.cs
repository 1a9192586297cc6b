using AirbyteOps.Parameters;

namespace AirbyteOps.Tests.Parameters;

public sealed class ParameterSetTests
{
    private static readonly Dictionary<string, string> Defaults = new()
    {
        ["postgres-port"] = "3000",
        ["postgres-password"] = "password",
    };

    [Fact]
    public void Command_line_wins_over_environment_which_wins_over_defaults()
    {
        var env = new Dictionary<string, string> { ["AIRBYTEOPS_POSTGRES_PORT"] = "4000" };
        var both = new ParameterSet(n => n == "postgres-port" ? "5000" : null, k => env.GetValueOrDefault(k), Defaults);
        var envOnly = new ParameterSet(_ => null, k => env.GetValueOrDefault(k), Defaults);
        var none = new ParameterSet(_ => null, _ => null, Defaults);

        Assert.Equal((5000, "command line"), (both.GetInt("postgres-port"), both.Resolve("postgres-port").Source));
        Assert.Equal((4000, "AIRBYTEOPS_POSTGRES_PORT"), (envOnly.GetInt("postgres-port"), envOnly.Resolve("postgres-port").Source));
        Assert.Equal((3000, "defaults file"), (none.GetInt("postgres-port"), none.Resolve("postgres-port").Source));
    }

    [Fact]
    public void The_password_comes_from_POSTGRES_PASSWORD_and_is_redacted_in_help_and_descriptions()
    {
        var set = new ParameterSet(_ => null, k => k == "POSTGRES_PASSWORD" ? "from-env-42" : null, Defaults);

        Assert.Equal("from-env-42", set.Get("postgres-password"));
        Assert.Equal("[REDACTED]", set.Describe("postgres-password"));
        var help = set.Help();
        Assert.Contains("--postgres-password", help);
        Assert.DoesNotContain("from-env-42", help);
        Assert.DoesNotContain("default: password", help);
    }

    [Fact]
    public void A_non_number_is_refused_with_the_parameter_named()
    {
        var set = new ParameterSet(n => n == "postgres-port" ? "three thousand" : null, _ => null, Defaults);

        var error = Assert.Throws<ArgumentException>(() => set.GetInt("postgres-port"));

        Assert.Contains("--postgres-port", error.Message);
    }

    [Fact]
    public void The_checked_in_defaults_file_sets_every_parameter_of_the_catalog()
    {
        var path = Path.Combine(RepositoryRoot(), "build", "parameters.json");

        var defaults = ParameterSet.LoadDefaults(path);

        var missing = ParameterCatalog.All.Where(p => !defaults.ContainsKey(p.Name)).Select(p => p.Name).ToList();
        Assert.Empty(missing);
    }

    private static string RepositoryRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "build.sh"))) dir = Path.GetDirectoryName(dir) ?? throw new InvalidOperationException("repository root not found");
        return dir;
    }
}
