using System.Text.Json;
using AirbyteOps.Build;
using AirbyteOps.Build.Parameters;
using AirbyteOps.Images;
using AirbyteOps.Setups.Secrets;
using Json.Schema;

namespace AirbyteOps.Tests.Parameters;

public sealed class BuildParametersTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("airbyteops-parameters-").FullName;
    private readonly Dictionary<string, string> _environment = [];

    private string ParametersFile => Path.Combine(_folder, "parameters.json");

    private BuildParameters Read(params string[] commandLine) =>
        ParameterReader.Read(ParameterReader.ParseArguments(commandLine), name => _environment.GetValueOrDefault(name), ParametersFile);

    [Fact]
    public void Command_line_wins_over_environment_which_wins_over_the_parameters_file()
    {
        File.WriteAllText(ParametersFile, """{ "postgres-port": 3100, "project": "from-file" }""");

        Assert.Equal((3100, "from-file"), (Read().PostgresPort, Read().Project));
        _environment["AIRBYTEOPS_POSTGRES_PORT"] = "4000";
        Assert.Equal(4000, Read().PostgresPort);
        Assert.Equal(5000, Read("--postgres-port", "5000").PostgresPort);
        Assert.Equal(5001, Read("--postgres-port=5001").PostgresPort);
        Assert.Equal("from-file", Read("--postgres-port", "5000").Project);
    }

    [Fact]
    public void The_parameters_file_takes_numbers_switches_and_lists_and_refuses_an_object()
    {
        File.WriteAllText(ParametersFile, """{ "$schema": "./build.schema.json", "POSTGRES-PORT": 3100, "archive": true, "secret-keys": ["apiToken", "pin"], "db-container": null }""");

        var parameters = Read();

        Assert.Equal(3100, parameters.PostgresPort);
        Assert.True(parameters.Archive);
        Assert.Equal(["apiToken", "pin"], parameters.SecretKeys);
        File.WriteAllText(ParametersFile, """{ "postgres-port": { "value": 3100 } }""");
        var error = Assert.Throws<ParameterException>(() => Read());
        Assert.Equal($"'postgres-port' in {ParametersFile} must be a string, number, true/false or a list of strings, not object; fix it or restore it from git.", error.Message);
        File.WriteAllText(ParametersFile, """{ "postgres-port": 31 00 }""");
        Assert.StartsWith($"{ParametersFile} is not valid JSON (", Assert.Throws<ParameterException>(() => Read()).Message);
    }

    [Fact]
    public void Without_any_source_every_parameter_has_its_declared_default()
    {
        var parameters = Read();

        Assert.Equal(3000, parameters.PostgresPort);
        Assert.Equal(ImageSource.Local, parameters.Images);
        Assert.Equal(SecretsMode.Sidecar, parameters.Secrets);
        Assert.Equal(new Uri("http://127.0.0.1:8001/api/v1"), parameters.ServerUrl);
        Assert.Null(parameters.Job);
        Assert.False(parameters.Archive);
        Assert.Empty(parameters.SecretKeys);
        Assert.Equal(AirbyteOps.Api.ConnectionSyncMode.FullRefresh, parameters.SyncMode);
    }

    [Fact]
    public void Typed_values_are_converted_enums_switches_lists_and_numbers()
    {
        var parameters = Read("--images", "Official", "--secrets", "inline", "--archive", "--job", "12", "--secret-keys", "a, b,,c", "--dbt-mode", "local");

        Assert.Equal(ImageSource.Official, parameters.Images);
        Assert.Equal(SecretsMode.Inline, parameters.Secrets);
        Assert.True(parameters.Archive);
        Assert.Equal(12, parameters.Job);
        Assert.Equal(["a", "b", "c"], parameters.SecretKeys);
        Assert.Equal(AirbyteOps.Workspace.Dbt.DbtMode.Local, parameters.DbtMode);
        Assert.Equal(AirbyteOps.Api.ConnectionSyncMode.Incremental, Read("--sync-mode", "incremental").SyncMode);
        Assert.Equal(AirbyteOps.Api.ConnectionSyncMode.FullRefresh, Read("--sync-mode", "incremental", "--sync-mode", "full_refresh").SyncMode);
    }

    [Fact]
    public void A_bare_switch_on_the_command_line_is_on_and_an_empty_one_elsewhere_is_off()
    {
        // Cake hands a switch given without a value (./build.sh Tutorial --restart) over as an empty value.
        var bare = ParameterReader.Read([new("restart", ""), new("archive", "false")], _ => null, ParametersFile);
        _environment["AIRBYTEOPS_RESTART"] = "";
        File.WriteAllText(ParametersFile, """{ "overwrite": "" }""");

        Assert.True(bare.Restart);
        Assert.False(bare.Archive);
        Assert.False(Read().Restart);
        Assert.False(Read().Overwrite);
    }

    [Theory]
    [InlineData("--postgres-port", "99999", "--postgres-port must be a whole number from 1 to 65535, not '99999' (from the command line).")]
    [InlineData("--postgres-port", "0", "--postgres-port must be a whole number from 1 to 65535, not '0' (from the command line).")]
    [InlineData("--timeout", "-5", "--timeout must be a whole number from 1 to 86400, not '-5' (from the command line).")]
    [InlineData("--job", "abc", "--job must be a whole number, not 'abc' (from the command line).")]
    [InlineData("--job", "-1", "--job must be a whole number, 0 or more, not '-1' (from the command line).")]
    [InlineData("--images", "docker-hub", "--images must be 'local' or 'official', not 'docker-hub' (from the command line).")]
    [InlineData("--sync-mode", "append", "--sync-mode must be 'full_refresh' or 'incremental', not 'append' (from the command line).")]
    [InlineData("--archive", "maybe", "--archive must be true or false, not 'maybe' (from the command line).")]
    [InlineData("--server-url", "127.0.0.1:8001", "--server-url must be an http:// or https:// URL, not '127.0.0.1:8001' (from the command line).")]
    public void An_invalid_value_is_refused_at_start_in_one_line_naming_the_parameter(string name, string value, string expected)
    {
        var error = Assert.Throws<ParameterException>(() => Read(name, value));

        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void An_invalid_value_from_the_environment_says_which_variable_it_came_from()
    {
        _environment["AIRBYTEOPS_TIMEOUT"] = "0";

        var error = Assert.Throws<ParameterException>(() => Read());

        Assert.Equal("--timeout must be a whole number from 1 to 86400, not '0' (from AIRBYTEOPS_TIMEOUT).", error.Message);
    }

    [Fact]
    public void An_unknown_parameter_is_refused_with_the_nearest_name_and_cake_options_pass()
    {
        var error = Assert.Throws<ParameterException>(() => Read("--postgres-prot", "3001"));
        Assert.Equal("Unknown parameter 'postgres-prot' on the command line; did you mean --postgres-port? ./build.sh --help lists them all.", error.Message);

        File.WriteAllText(ParametersFile, """{ "$schema": "./build.schema.json", "timout": 5 }""");
        var fromFile = Assert.Throws<ParameterException>(() => Read());
        Assert.Contains("Unknown parameter 'timout' in " + ParametersFile + "; did you mean --timeout?", fromFile.Message);

        File.WriteAllText(ParametersFile, "{}");
        Assert.Equal(3000, Read("--target", "Help", "--verbosity", "diagnostic", "--settings_skipverification", "true").PostgresPort);
    }

    [Fact]
    public void The_password_comes_from_POSTGRES_PASSWORD_and_is_redacted_in_help_and_errors()
    {
        _environment["POSTGRES_PASSWORD"] = "from-env-42";

        Assert.Equal("from-env-42", Read().PostgresPassword);
        Assert.Equal("[REDACTED]", ParameterHelp.Describe(Read(), "postgres-password"));
        var help = string.Join("\n", ParameterHelp.Lines());
        Assert.Contains("--postgres-password", help);
        Assert.Contains("environment: POSTGRES_PASSWORD", help);
        Assert.DoesNotContain("from-env-42", help);
        Assert.DoesNotContain("default: password", help);
        Assert.DoesNotContain("\"password\"", BuildSchema.Generate());
    }

    [Fact]
    public void Help_lists_every_property_of_the_parameters_type_with_its_default_and_variable()
    {
        var help = string.Join("\n", ParameterHelp.Lines());
        var properties = typeof(BuildParameters).GetProperties();

        Assert.Equal(properties.Length, ParameterDescriptor.All.Count);
        Assert.Contains("--postgres-port", help);
        Assert.Contains("default: 3000; environment: AIRBYTEOPS_POSTGRES_PORT", help);
        Assert.Contains("(local|official)", help);
    }

    [Fact]
    public void The_checked_in_schema_is_the_one_the_parameters_type_generates()
    {
        var path = Path.Combine(RepositoryPaths.Root, ".nuke", "build.schema.json");

        // Every build run rewrites it when stale; a difference here means a parameter changed without a build.
        Assert.Equal(BuildSchema.Generate(), File.ReadAllText(path));
    }

    [Fact]
    public void The_schema_stamp_skips_the_check_only_while_the_file_is_the_one_checked()
    {
        var schema = Path.Combine(_folder, "build.schema.json");
        var stamp = Path.Combine(_folder, "stamp", "schema.stamp");

        Assert.True(BuildSchema.WriteIfStale(schema, stamp));  // absent: written, stamp recorded
        Assert.False(BuildSchema.WriteIfStale(schema, stamp)); // current: nothing written
        File.WriteAllText(schema, "{}");                        // edited by hand (or checked out stale): size and time change
        Assert.True(BuildSchema.WriteIfStale(schema, stamp));
        Assert.Equal(BuildSchema.Generate(), File.ReadAllText(schema));
    }

    [Fact]
    public void The_checked_in_parameters_file_is_valid_under_the_schema_and_a_bad_one_is_not()
    {
        var schema = JsonSchema.FromText(BuildSchema.Generate());
        var options = new EvaluationOptions { OutputFormat = OutputFormat.List };

        var checkedIn = Json(File.ReadAllText(Path.Combine(RepositoryPaths.Root, ".nuke", "parameters.json")));
        Assert.True(schema.Evaluate(checkedIn, options).IsValid);
        Assert.True(schema.Evaluate(Json("""{ "postgres-port": 3001, "images": "official", "archive": true }"""), options).IsValid);
        Assert.False(schema.Evaluate(Json("""{ "postgres-port": 99999 }"""), options).IsValid);
        Assert.False(schema.Evaluate(Json("""{ "images": "docker-hub" }"""), options).IsValid);
        Assert.False(schema.Evaluate(Json("""{ "postgres-prot": 3001 }"""), options).IsValid);
    }

    [Fact]
    public void Every_target_name_is_a_task_of_the_build_script()
    {
        var targets = typeof(TargetNames).GetFields().Select(f => (string)f.GetValue(null)!).ToHashSet();
        var script = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "build", "build.cake"));

        foreach (var target in targets) Assert.Contains($"Task(TargetNames.{target})", script);
    }

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
