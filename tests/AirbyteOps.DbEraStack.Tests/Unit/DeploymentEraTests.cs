using AirbyteOps.Setups.Era;

namespace AirbyteOps.DbEraStack.Tests.Unit;

/// <summary>Which era a deployment is, and the three deployments a setup cannot capture, each refused with what was found and what to do.</summary>
public sealed class DeploymentEraTests
{
    private static readonly string[] ComposeHosts = ["db", "airbyte-db", "server", "airbyte-server"];

    private static readonly DatabaseFacts DbEraDatabase = new()
    {
        HasConfigsFlywayHistory = true, HasJobsFlywayHistory = true, HasActorTable = true, HasSecretsTable = true,
        NewestConfigsMigration = "0.50.24.006", NewestJobsMigration = "0.50.4.001", SecretCoordinates = 3, SecretCoordinatesWithPayload = 3,
    };

    private static DeploymentFacts Facts(string? version, DatabaseFacts? database = null, params (string Key, string Value)[] environment) => new()
    {
        ServerContainer = "airbyte-server",
        AirbyteVersion = version,
        ServerEnvironment = new Dictionary<string, string> { ["DATABASE_URL"] = "jdbc:postgresql://db:5432/airbyte", ["SECRET_PERSISTENCE"] = "" }
            .Concat(environment.Select(e => KeyValuePair.Create(e.Key, e.Value))).GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Last().Value),
        ComposeHosts = ComposeHosts,
        Database = database,
    };

    [Theory]
    [InlineData("0.7.1-alpha", AirbyteEra.Files)]
    [InlineData("0.27.3-alpha", AirbyteEra.Files)]
    [InlineData("0.27.4-alpha", AirbyteEra.FilesAndDatabase)]
    [InlineData("0.29.22-alpha", AirbyteEra.FilesAndDatabase)]
    [InlineData("0.30.0-alpha", AirbyteEra.Database)]
    [InlineData("0.50.33", AirbyteEra.Database)]
    [InlineData("v0.63.8", AirbyteEra.Database)]
    public void The_version_says_the_era_at_each_boundary(string version, AirbyteEra era)
    {
        var database = era == AirbyteEra.Database ? DbEraDatabase : null;
        Assert.Equal(era, DeploymentEra.Classify(Facts(version, database)).Era);
    }

    [Theory]
    [InlineData("0.64.0")]
    [InlineData("0.64.7")]
    [InlineData("1.0.0")]
    [InlineData("1.6.1")]
    public void Airbyte_0_64_and_later_is_refused_naming_the_version_and_what_to_do(string version)
    {
        var error = Assert.Throws<DeploymentNotSupportedException>(() => DeploymentEra.Classify(Facts(version, DbEraDatabase)));
        Assert.Equal(DeploymentNotSupportedReason.Airbyte064OrLater, error.Reason);
        Assert.Contains($"Airbyte {version}", error.Message, StringComparison.Ordinal);
        Assert.Contains("Kubernetes", error.Message, StringComparison.Ordinal);
        Assert.Contains("0.63 or older", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData("VAULT")]
    [InlineData("GOOGLE_SECRET_MANAGER")]
    [InlineData("AWS_SECRET_MANAGER")]
    public void An_external_secret_manager_is_refused_naming_the_setting(string persistence)
    {
        var error = Assert.Throws<DeploymentNotSupportedException>(() => DeploymentEra.Classify(Facts("0.50.33", DbEraDatabase, ("SECRET_PERSISTENCE", persistence))));
        Assert.Equal(DeploymentNotSupportedReason.ExternalSecretManager, error.Reason);
        Assert.Contains($"SECRET_PERSISTENCE={persistence} on airbyte-server", error.Message, StringComparison.Ordinal);
        Assert.Contains("back up the secret manager", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("TESTING_CONFIG_DB_TABLE")]
    public void The_default_secret_persistence_is_the_database_era(string persistence) =>
        Assert.Equal(AirbyteEra.Database, DeploymentEra.Classify(Facts("0.50.33", DbEraDatabase, ("SECRET_PERSISTENCE", persistence))).Era);

    [Fact]
    public void Coordinates_without_payloads_are_an_external_secret_manager_even_with_the_setting_empty()
    {
        var onlyCoordinates = DbEraDatabase with { SecretCoordinates = 4, SecretCoordinatesWithPayload = 1 };
        var error = Assert.Throws<DeploymentNotSupportedException>(() => DeploymentEra.Classify(Facts("0.50.33", onlyCoordinates)));
        Assert.Equal(DeploymentNotSupportedReason.ExternalSecretManager, error.Reason);
        Assert.Contains("4 secret coordinate(s), of which 3 have no row", error.Message, StringComparison.Ordinal);

        var noTable = DbEraDatabase with { HasSecretsTable = false, SecretCoordinates = 2, SecretCoordinatesWithPayload = 0 };
        Assert.Contains("there is none", Assert.Throws<DeploymentNotSupportedException>(() => DeploymentEra.Classify(Facts("0.50.33", noTable))).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("DATABASE_URL", "jdbc:postgresql://prod-airbyte.abc123.eu-west-1.rds.amazonaws.com:5432/airbyte", "prod-airbyte.abc123.eu-west-1.rds.amazonaws.com")]
    [InlineData("DATABASE_URL", "jdbc:postgresql://host.docker.internal:5432/airbyte", "host.docker.internal")]
    [InlineData("DATABASE_HOST", "10.1.2.3", "10.1.2.3")]
    [InlineData("CONFIG_DATABASE_URL", "jdbc:postgresql://configs.internal:5432/configs", "configs.internal")]
    public void A_database_outside_the_compose_project_is_refused_naming_the_variable_and_host(string variable, string value, string host)
    {
        var error = Assert.Throws<DeploymentNotSupportedException>(() => DeploymentEra.Classify(Facts("0.50.33", DbEraDatabase, (variable, value))));
        Assert.Equal(DeploymentNotSupportedReason.ExternalDatabase, error.Reason);
        Assert.Contains($"{variable} on airbyte-server points at '{host}'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"pg_dump against {host}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("jdbc:postgresql://db:5432/airbyte")]
    [InlineData("jdbc:postgresql://airbyte-db:5432/airbyte")]
    public void The_projects_own_database_by_service_or_container_name_is_inside(string url) =>
        Assert.Equal(AirbyteEra.Database, DeploymentEra.Classify(Facts("0.50.33", DbEraDatabase, ("DATABASE_URL", url), ("DATABASE_HOST", "db"))).Era);

    [Fact]
    public void The_files_era_does_not_care_where_a_jobs_database_is()
    {
        // 0.7's scheduler keeps only jobs in Postgres; its configuration files are what a setup captures.
        Assert.Equal(AirbyteEra.Files, DeploymentEra.Classify(Facts("0.7.1-alpha", null, ("DATABASE_URL", "jdbc:postgresql://elsewhere:5432/airbyte"))).Era);
    }

    [Fact]
    public void Without_a_readable_version_the_database_decides()
    {
        Assert.Equal(AirbyteEra.Database, DeploymentEra.Classify(Facts("dev", DbEraDatabase)).Era);
        Assert.Equal(AirbyteEra.FilesAndDatabase, DeploymentEra.Classify(Facts(null, new DatabaseFacts { HasAirbyteConfigsTable = true })).Era);
        Assert.Equal(AirbyteEra.Files, DeploymentEra.Classify(Facts(null, new DatabaseFacts())).Era);
    }

    [Fact]
    public void A_database_era_version_over_a_database_without_Flyway_history_is_refused_as_inconsistent()
    {
        var error = Assert.Throws<DeploymentNotSupportedException>(() => DeploymentEra.Classify(Facts("0.50.33", new DatabaseFacts { HasActorTable = true })));
        Assert.Equal(DeploymentNotSupportedReason.Inconsistent, error.Reason);
        Assert.Contains("no airbyte_configs_migrations table", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("jdbc:postgresql://db:5432/airbyte", "db")]
    [InlineData("jdbc:postgresql://my.host:6543/x?ssl=true", "my.host")]
    [InlineData("", null)]
    [InlineData("not a url", null)]
    public void The_host_of_a_jdbc_url(string url, string? host) => Assert.Equal(host, DeploymentEra.HostOfJdbcUrl(url));
}
