using System.Text.Json.Nodes;
using AirbyteOps.DbEraStack.Tests.Support;
using AirbyteOps.Docker;
using AirbyteOps.Setups.Era;

namespace AirbyteOps.DbEraStack.Tests.Integration;

/// <summary>The probe on the running database-era stand-in: what it reads from the server and from airbyte-db, and the refusals it leads to.</summary>
public sealed class DeploymentProbeTests(DbEraFixture fixture) : IClassFixture<DbEraFixture>
{
    private DbEraContainers Stack => fixture.Stack;

    private ProbeOptions Options(string? server = null) => new(server ?? Stack.Server, Stack.Db, ["db", "server", Stack.Db, Stack.Server]);

    [Fact]
    public async Task The_stand_in_is_the_database_era_at_0_50_33_with_its_Flyway_versions()
    {
        var facts = await new DeploymentProbe(Stack.Engine).ReadAsync(Options());
        Assert.Equal("0.50.33", facts.AirbyteVersion);
        var newest = await Stack.QueryAsync("SELECT (SELECT version FROM airbyte_configs_migrations ORDER BY installed_rank DESC LIMIT 1), (SELECT version FROM airbyte_jobs_migrations ORDER BY installed_rank DESC LIMIT 1)");
        Assert.Equal((string)newest[0][0]!, facts.Database!.NewestConfigsMigration);
        Assert.Equal((string)newest[0][1]!, facts.Database.NewestJobsMigration);
        Assert.True(facts.Database.HasActorTable && facts.Database.HasSecretsTable);
        Assert.Equal(AirbyteEra.Database, DeploymentEra.Classify(facts).Era);
    }

    [Fact]
    public async Task Secret_coordinates_whose_payloads_are_gone_read_as_an_external_secret_manager()
    {
        var (_, list) = await Stack.PostAsync("workspaces/list", new JsonObject());
        var workspace = list!["workspaces"]![0]!["workspaceId"]!.GetValue<string>();
        var (_, definitions) = await Stack.PostAsync("destination_definitions/list", new JsonObject());
        var postgres = definitions!["destinationDefinitions"]!.AsArray().First(d => d!["dockerRepository"]!.GetValue<string>() == "airbyte/destination-postgres")!;
        var (status, created) = await Stack.PostAsync("destinations/create", new JsonObject
        {
            ["workspaceId"] = workspace, ["name"] = "probe " + TestNames.Id(), ["destinationDefinitionId"] = postgres["destinationDefinitionId"]!.GetValue<string>(),
            ["connectionConfiguration"] = new JsonObject { ["host"] = "h", ["port"] = 5432, ["database"] = "d", ["schema"] = "public", ["username"] = "u", ["password"] = "p" },
        });
        Assert.Equal(200, status);
        var before = await new DeploymentProbe(Stack.Engine).ReadAsync(Options());
        Assert.True(before.Database!.SecretCoordinates > 0);
        Assert.Equal(before.Database.SecretCoordinates, before.Database.SecretCoordinatesWithPayload);

        // What a deployment with an external secret manager holds: the coordinate in actor.configuration, no payload row.
        var id = created!["destinationId"]!.GetValue<string>();
        await Stack.QueryAsync($"DELETE FROM secrets WHERE coordinate = (SELECT configuration->'password'->>'_secret' FROM actor WHERE id = '{id}') RETURNING coordinate");
        var after = await new DeploymentProbe(Stack.Engine).ReadAsync(Options());
        Assert.Equal(before.Database.SecretCoordinates - 1, after.Database!.SecretCoordinatesWithPayload);
        var error = Assert.Throws<DeploymentNotSupportedException>(() => DeploymentEra.Classify(after));
        Assert.Equal(DeploymentNotSupportedReason.ExternalSecretManager, error.Reason);
        await Stack.QueryAsync($"UPDATE actor SET tombstone = true WHERE id = '{id}' RETURNING id");
        await Stack.QueryAsync($"DELETE FROM actor WHERE id = '{id}' RETURNING id");
    }

    [Theory]
    [InlineData("SECRET_PERSISTENCE", "VAULT", DeploymentNotSupportedReason.ExternalSecretManager)]
    [InlineData("DATABASE_URL", "jdbc:postgresql://rds.example.com:5432/airbyte", DeploymentNotSupportedReason.ExternalDatabase)]
    [InlineData("AIRBYTE_VERSION", "0.64.0", DeploymentNotSupportedReason.Airbyte064OrLater)]
    public async Task A_server_configured_so_is_refused_from_what_the_probe_reads(string variable, string value, DeploymentNotSupportedReason reason)
    {
        // A stand-in server container that is only created (never started): the probe reads its configured environment.
        var server = TestNames.Unique("probe-server");
        var environment = new Dictionary<string, string>(Stack.DatabaseEnvironment) { [variable] = value };
        await Stack.Engine.Containers.CreateAsync(new ContainerSpec(server, DbEraContainers.Images[2]) { Environment = environment, NetworkMode = "none", Labels = new Dictionary<string, string> { [Labels.Managed] = "true" } });
        try
        {
            var facts = await new DeploymentProbe(Stack.Engine).ReadAsync(Options(server));
            Assert.Equal(reason, Assert.Throws<DeploymentNotSupportedException>(() => DeploymentEra.Classify(facts)).Reason);
        }
        finally
        {
            await Stack.Engine.Containers.RemoveAsync(server, force: true);
        }
    }
}
