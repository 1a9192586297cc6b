using System.Globalization;
using Npgsql;
using YamlDotNet.RepresentationModel;

namespace AirbyteOps.StandIns.Dbt;

/// <summary>The chosen output of the project's profile in profiles.yml: a Postgres connection and a schema.</summary>
public sealed record ProfileTarget(string ProfilesPath, string TargetName, string Type, string Host, int Port, string User, string Password, string Database, string Schema, int Threads, int PrinterWidth)
{
    public static ProfileTarget Load(string profilesDirectory, string profileName, string? targetOverride)
    {
        var path = Path.Combine(profilesDirectory, "profiles.yml");
        if (!File.Exists(path))
            throw new ProjectException($"Runtime Error\n  Could not find profile named '{profileName}': no profiles.yml in {profilesDirectory}");
        var root = Yaml.LoadMapping(path, "profiles.yml");
        var profile = root.Mapping(profileName)
            ?? throw new ProjectException($"Runtime Error\n  Could not find profile named '{profileName}' in {path}");
        var targetName = targetOverride ?? profile.Scalar("target") ?? "default";
        var output = profile.Mapping("outputs")?.Mapping(targetName)
            ?? throw new ProjectException($"Runtime Error\n  The profile '{profileName}' does not have a target named '{targetName}'.");
        string Required(string key, params string[] aliases)
        {
            foreach (var k in aliases.Prepend(key))
                if (output.Scalar(k) is { } v) return v;
            throw new ProjectException($"Runtime Error\n  Credentials in profile \"{profileName}\", target \"{targetName}\" invalid: '{key}' is a required property");
        }
        var type = Required("type");
        if (type != "postgres")
            throw new ProjectException($"Runtime Error\n  Could not find adapter type {type}! (this stand-in speaks only postgres)");
        var port = Required("port");
        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var portNumber))
            throw new ProjectException($"Runtime Error\n  Credentials in profile \"{profileName}\", target \"{targetName}\" invalid: port '{port}' is not an integer");
        var width = root.Mapping("config")?.Scalar("printer_width");
        return new ProfileTarget(path, targetName, type, Required("host"), portNumber, Required("user"), Required("pass", "password"),
            Required("dbname", "database"), Required("schema"),
            int.TryParse(output.Scalar("threads"), NumberStyles.None, CultureInfo.InvariantCulture, out var threads) ? threads : 1,
            int.TryParse(width, NumberStyles.None, CultureInfo.InvariantCulture, out var w) && w > 40 ? w : 80);
    }

    public NpgsqlConnection CreateConnection() => new(new NpgsqlConnectionStringBuilder
    {
        Host = Host,
        Port = Port,
        Username = User,
        Password = Password,
        Database = Database,
        Timeout = 10,
        Pooling = false,
        ApplicationName = "dbt-standin",
    }.ConnectionString);

    // The password is left out on purpose: records print all their members.
    public override string ToString() => $"{Type}://{User}@{Host}:{Port}/{Database} schema {Schema}";
}
