namespace AirbyteOps.StandIns.Dbt;

/// <summary>
/// Entry point of the stand-in dbt (not the real dbt): <c>dbt debug|deps|run [--profiles-dir D] [--project-dir P] [--full-refresh]</c>.
/// Exit codes as dbt's: 0 success, 1 a model failed, 2 the invocation or the project is wrong.
/// </summary>
public static class Program
{
    public const string Version = "0.18.1";

    public static async Task<int> Main(string[] args)
    {
        CommandLine line;
        try
        {
            line = CommandLine.Parse(args);
        }
        catch (UsageException ex)
        {
            await Console.Error.WriteLineAsync($"usage: dbt [-h] [--version] {{debug,deps,run}} ...\ndbt: error: {ex.Message}").ConfigureAwait(false);
            return 2;
        }
        if (line.Command == "--version")
        {
            Console.WriteLine($"installed version: {Version}");
            Console.WriteLine("   (stand-in for dbt, see its README)");
            return 0;
        }
        Console.WriteLine($"Running with dbt={Version}");
        try
        {
            return line.Command switch
            {
                "debug" => await DebugCommand.RunAsync(line).ConfigureAwait(false),
                "deps" => DepsCommand.Run(line),
                "run" => await RunCommand.RunAsync(line).ConfigureAwait(false),
                _ => 2,
            };
        }
        catch (ProjectException ex)
        {
            // dbt's own wording for a project or profile it cannot use.
            Console.WriteLine($"Encountered an error:\n{ex.Message}");
            return 2;
        }
    }
}
