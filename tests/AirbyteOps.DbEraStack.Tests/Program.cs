using AirbyteOps.DbEraStack.Tests.Support;
using AirbyteOps.Docker;
using AirbyteOps.Setups.DbEra;
using AirbyteOps.Setups.Restore;
using AirbyteOps.Setups.Secrets;

namespace AirbyteOps.DbEraStack.Tests;

/// <summary>
/// Entry point used only by the kill test: "crash-restore &lt;checkpoint&gt; &lt;setup&gt; &lt;artifacts&gt; &lt;server&gt; &lt;db&gt; &lt;proxy port&gt;"
/// runs a real database-era restore in this process, prints "AT &lt;checkpoint&gt;" when it gets there and waits to be killed.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length != 7 || args[0] != "crash-restore")
        {
            Console.Error.WriteLine("usage: crash-restore <checkpoint> <setup> <artifacts> <server> <db> <proxy-port>");
            return 2;
        }
        using var engine = DockerEngine.Connect();
        var options = new RestoreOptions
        {
            Setup = args[2], ArtifactsDirectory = args[3], ServerContainer = args[4], DataVolume = args[4] + "-data", ConfigRoot = "/data",
            HelperImage = TestImages.Busybox, ForceVersion = false, AllowMissingSecrets = false, HealthTimeout = TimeSpan.FromMinutes(2),
            DatabaseContainer = args[5], ComposeHosts = null,
            ConfigApi = new ConfigApi(new Uri($"http://127.0.0.1:{args[6]}/api/v1"), new System.Net.NetworkCredential(DbEraContainers.BasicAuthUser, DbEraContainers.BasicAuthPassword)),
            Checkpoint = ChildProcess.StopAt(args[1]),
        };
        await new RestoreSetupOperation(engine).RunAsync(options, line => Console.WriteLine(line));
        Console.WriteLine("FINISHED");
        return 0;
    }
}
