using System.Text.Json.Nodes;
using AirbyteOps.StandIns.DbEraStack;
using StandInSecrets = AirbyteOps.StandIns.DbEraStack.Server.Secrets;

namespace AirbyteOps.DbEraStack.Tests.Unit;

public sealed class SecretsTests
{
    private static readonly JsonObject Spec = JsonNode.Parse("""
        { "properties": { "host": { "type": "string" }, "password": { "type": "string", "airbyte_secret": true },
          "tunnel_method": { "type": "object", "oneOf": [
            { "properties": { "tunnel_method": { "const": "NO_TUNNEL" } } },
            { "properties": { "tunnel_method": { "const": "SSH_PASSWORD_AUTH" }, "tunnel_user_password": { "type": "string", "airbyte_secret": true } } } ] } } }
        """)!.AsObject();

    [Fact]
    public void A_coordinate_has_the_real_format()
    {
        var ws = Guid.NewGuid();
        var id = Guid.NewGuid();
        Assert.Equal($"airbyte_workspace_{ws}_secret_{id}_v1", StandInSecrets.Coordinate(ws, id, 1));
    }

    [Fact]
    public void Reads_mask_secret_fields_at_any_depth_and_leave_the_rest()
    {
        var stored = JsonNode.Parse("""
            { "host": "db", "password": { "_secret": "airbyte_workspace_x_secret_y_v1" },
              "tunnel_method": { "tunnel_method": "SSH_PASSWORD_AUTH", "tunnel_user_password": { "_secret": "airbyte_workspace_x_secret_z_v1" } } }
            """)!.AsObject();
        var shown = StandInSecrets.MaskForOutput(stored, Spec);
        Assert.Equal("db", shown["host"]!.GetValue<string>());
        Assert.Equal(StandInSecrets.Mask, shown["password"]!.GetValue<string>());
        Assert.Equal(StandInSecrets.Mask, shown["tunnel_method"]!["tunnel_user_password"]!.GetValue<string>());
        Assert.Equal("SSH_PASSWORD_AUTH", shown["tunnel_method"]!["tunnel_method"]!.GetValue<string>());
        // The stored configuration itself is not changed.
        Assert.Equal("airbyte_workspace_x_secret_y_v1", stored["password"]!["_secret"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("jdbc:postgresql://db:5432/airbyte", "db", 5432, "airbyte")]
    [InlineData("jdbc:postgresql://my-rds.example.com:6543/prod", "my-rds.example.com", 6543, "prod")]
    public void The_jdbc_url_of_the_env_file_becomes_a_connection_string(string url, string host, int port, string database)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(Settings.ConnectionString(url, "docker", "docker"));
        Assert.Equal((host, port, database), (builder.Host, builder.Port, builder.Database));
    }
}
