using AirbyteOps.Docker;

namespace AirbyteOps.Setups.Tests;

/// <summary>
/// Entry point used only by the crash tests: "crash-restore &lt;checkpoint&gt; &lt;setup&gt; &lt;artifacts&gt; &lt;server&gt; &lt;volume&gt;"
/// runs a real restore in this process, prints "AT &lt;checkpoint&gt;" when it gets there and then waits to be killed.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length is not (6 or 8 or 9) || args[0] != "crash-restore")
        {
            Console.Error.WriteLine("usage: crash-restore <checkpoint> <setup> <artifacts> <server> <volume> [<db-container> <scheduler> [<workspace-volume>]]");
            return 2;
        }
        using var engine = DockerEngine.Connect();
        var options = new RestoreOptions
        {
            ConfigRoot = "/data", HelperImage = TestImages.Busybox, ForceVersion = false, AllowMissingSecrets = false, HealthTimeout = TimeSpan.FromMinutes(2),
            Setup = args[2], ArtifactsDirectory = args[3], ServerContainer = args[4], DataVolume = args[5],
            SkipConfigCheck = true, // the sample tree is made up (see TestDeployment.RestoreOptionsFor)
            DatabaseContainer = args.Length >= 8 ? args[6] : null, SchedulerContainer = args.Length >= 8 ? args[7] : null,
            WorkspaceVolume = args.Length == 9 ? args[8] : "airbyte_workspace",
            // "<checkpoint>[:Auto|Engine]": the data path the killed run takes.
            VolumeAccess = args[1].Contains(':', StringComparison.Ordinal) ? Enum.Parse<AirbyteOps.Docker.Host.VolumeAccess>(args[1].Split(':')[1]) : default,
            Checkpoint = ChildProcess.StopAt(args[1].Split(':')[0]),
        };
        await new RestoreSetupOperation(engine).RunAsync(options, line => Console.WriteLine(line));
        Console.WriteLine("FINISHED");
        return 0;
    }
}
