using System.Runtime.InteropServices;
using AirbyteOps.Docker;
using AirbyteOps.Setups;

namespace AirbyteOps.Faults.Tests;

/// <summary>
/// Entry point used only by the process-kill tests (<see cref="ProcessKilledTests"/>), which start this assembly as a
/// child "build process" and kill it mid-operation:
/// <list type="bullet">
/// <item>"export &lt;docker-host&gt; &lt;setup&gt; &lt;artifacts&gt; &lt;server&gt; &lt;volume&gt; &lt;auto|engine&gt; [&lt;checkpoint&gt;]": a real
/// ExportSetup (with --overwrite, on that data path) through the given engine endpoint (on the engine path the test's
/// <see cref="Support.EngineStopStandIn"/>, which holds the read so the kill lands mid-export; on the direct path the
/// checkpoint, "walked", where it prints "AT walked" and waits).</item>
/// <item>"restore &lt;checkpoint&gt; &lt;setup&gt; &lt;artifacts&gt; &lt;server&gt; &lt;volume&gt; &lt;auto|engine&gt;": a real RestoreSetup on that data path that prints
/// "AT &lt;checkpoint&gt;" when it gets there and then waits to be killed, or interrupted: SIGINT (Ctrl-C) cancels the
/// restore as the build host does, and the child prints "FAILED &lt;message&gt;" and exits 1 once the restore has unwound.</item>
/// <item>"lock &lt;lock-path&gt; &lt;target&gt; &lt;Shared|Exclusive&gt; &lt;timeout-seconds&gt;": takes a deployment lock as a target does
/// (<see cref="LockProcessTests"/>), prints its log lines, then "HELD", holds it until a line arrives on stdin, prints
/// "RELEASED"; "BUSY &lt;message&gt;" and exit 1 when the wait ran out.</item>
/// </list>
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 5 && args[0] == "lock") return await HoldLockAsync(args);
        if (args.Length is < 7 or > 8 || args[0] is not ("export" or "restore"))
        {
            await Console.Error.WriteLineAsync("usage: export <docker-host> <setup> <artifacts> <server> <volume> <auto|engine> [<checkpoint>] | restore <checkpoint> <setup> <artifacts> <server> <volume> <auto|engine>");
            return 2;
        }
        var access = Enum.Parse<AirbyteOps.Docker.Host.VolumeAccess>(args[6], ignoreCase: true);
        if (args[0] == "export")
        {
            using var proxied = DockerEngine.Connect(args[1]);
            await new ExportSetupOperation(proxied).RunAsync(new ExportOptions
            {
                ConfigRoot = "/data", HelperImage = TestImages.Busybox, SecretsMode = AirbyteOps.Setups.Secrets.SecretsMode.Sidecar, ExtraSecretKeys = [], Archive = false,
                Setup = args[2], ArtifactsDirectory = args[3], ServerContainer = args[4], DataVolume = args[5], Overwrite = true, VolumeAccess = access,
                SkipConfigCheck = true, // the sample tree is made up (see TestDeployment.ExportOptionsFor)
                Checkpoint = args.Length == 8 ? AirbyteOps.TestSupport.ChildProcess.StopAt(args[7]) : null,
            }, Console.WriteLine);
            Console.WriteLine("FINISHED");
            return 0;
        }
        using var engine = DockerEngine.Connect(DockerEngine.DefaultSocket);
        // Ctrl-C becomes cancellation of the running operation (the process is not ended by the signal itself).
        using var interrupt = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            interrupt.Cancel();
        });
        try
        {
            await RestoreAsync(engine, args, access, interrupt.Token);
        }
        catch (AirbyteOpsException error)
        {
            Console.WriteLine("FAILED " + error.Message);
            return 1;
        }
        Console.WriteLine("FINISHED");
        return 0;
    }

    private static async Task<int> HoldLockAsync(string[] args)
    {
        try
        {
            using var held = await AirbyteOps.Locks.DeploymentLock.AcquireAsync(args[1], "'test'", args[2],
                TimeSpan.FromSeconds(int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture)), Console.WriteLine,
                mode: Enum.Parse<AirbyteOps.Locks.LockMode>(args[3]));
            Console.WriteLine("HELD");
            await Console.In.ReadLineAsync();
        }
        catch (AirbyteOps.Locks.DeploymentBusyException busy)
        {
            Console.WriteLine("BUSY " + busy.Message);
            return 1;
        }
        Console.WriteLine("RELEASED");
        return 0;
    }

    private static async Task RestoreAsync(DockerEngine engine, string[] args, AirbyteOps.Docker.Host.VolumeAccess access, CancellationToken ct) =>
        await new RestoreSetupOperation(engine).RunAsync(new RestoreOptions
        {
            ConfigRoot = "/data", HelperImage = TestImages.Busybox, ForceVersion = false, AllowMissingSecrets = false, HealthTimeout = TimeSpan.FromMinutes(2),
            Setup = args[2], ArtifactsDirectory = args[3], ServerContainer = args[4], DataVolume = args[5], VolumeAccess = access,
            SkipConfigCheck = true, // made-up trees (see TestDeployment.RestoreOptionsFor)
            Checkpoint = AirbyteOps.TestSupport.ChildProcess.StopAt(args[1]),
        }, Console.WriteLine, ct);
}
