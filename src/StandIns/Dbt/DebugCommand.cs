using System.Runtime.InteropServices;

namespace AirbyteOps.StandIns.Dbt;

/// <summary><c>dbt debug</c>: are profiles.yml and dbt_project.yml there and valid, and does the connection work.</summary>
public static class DebugCommand
{
    public static async Task<int> RunAsync(CommandLine line)
    {
        Console.WriteLine($"dbt version: {Program.Version} (stand-in)");
        Console.WriteLine($"python version: none (stand-in written in C#, .NET {Environment.Version})");
        Console.WriteLine($"os info: {RuntimeInformation.OSDescription}");
        var profilesPath = Path.Combine(line.ProfilesDirectory, "profiles.yml");
        var projectPath = Path.Combine(line.ProjectDirectory, "dbt_project.yml");
        Console.WriteLine($"Using profiles.yml file at {profilesPath}");
        Console.WriteLine($"Using dbt_project.yml file at {projectPath}");
        Console.WriteLine();

        var failures = 0;
        DbtProject? project = null;
        ProfileTarget? target = null;
        string? projectError = null, profileError = null;
        try { project = DbtProject.Load(line.ProjectDirectory); }
        catch (ProjectException ex) { projectError = ex.Message; }
        if (project is not null)
        {
            try { target = ProfileTarget.Load(line.ProfilesDirectory, project.Profile, line.Target); }
            catch (ProjectException ex) { profileError = ex.Message; }
        }
        else if (!File.Exists(profilesPath))
        {
            profileError = "profiles.yml file not found";
        }

        Console.WriteLine("Configuration:");
        Console.WriteLine($"  profiles.yml file [{(target is not null ? "OK found and valid" : File.Exists(profilesPath) ? "ERROR invalid" : "ERROR not found")}]");
        Console.WriteLine($"  dbt_project.yml file [{(project is not null ? "OK found and valid" : File.Exists(projectPath) ? "ERROR invalid" : "ERROR not found")}]");
        Console.WriteLine();
        Console.WriteLine("Required dependencies:");
        // The stand-in installs no git packages, so git is not required; say so instead of failing.
        Console.WriteLine(FindOnPath("git") ? " - git [OK found]" : " - git [OK not needed by this stand-in]");
        Console.WriteLine();

        if (target is not null)
        {
            Console.WriteLine("Connection:");
            Console.WriteLine($"  host: {target.Host}");
            Console.WriteLine($"  port: {target.Port}");
            Console.WriteLine($"  user: {target.User}");
            Console.WriteLine($"  database: {target.Database}");
            Console.WriteLine($"  schema: {target.Schema}");
            Console.WriteLine("  search_path: None");
            Console.WriteLine("  keepalives_idle: 0");
            Console.WriteLine("  sslmode: None");
            try
            {
                await using var connection = target.CreateConnection();
                await connection.OpenAsync().ConfigureAwait(false);
                await using var command = connection.CreateCommand();
                command.CommandText = "select 1";
                await command.ExecuteScalarAsync().ConfigureAwait(false);
                Console.WriteLine("  Connection test: OK connection ok");
            }
            catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
            {
                failures++;
                Console.WriteLine("  Connection test: ERROR");
                Console.WriteLine();
                Console.WriteLine("dbt was unable to connect to the specified database.");
                Console.WriteLine("The database returned the following error:");
                Console.WriteLine();
                Console.WriteLine($"  >Database Error");
                Console.WriteLine($"  {ex.Message}");
                Console.WriteLine();
                Console.WriteLine("Check your database credentials and try again.");
            }
            Console.WriteLine();
        }
        foreach (var error in new[] { projectError, profileError }.OfType<string>())
        {
            failures++;
            Console.WriteLine(error);
            Console.WriteLine();
        }
        if (failures > 0) Console.WriteLine($"{failures} check{(failures == 1 ? "" : "s")} failed:");
        return failures == 0 ? 0 : 1;
    }

    private static bool FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Any(d => File.Exists(Path.Combine(d, name)));
}
