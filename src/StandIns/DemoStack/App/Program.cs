using AirbyteOps.StandIns.DemoStack.Hosting;
using AirbyteOps.StandIns.DemoStack.Jobs;
using AirbyteOps.StandIns.DemoStack.Worker;

// Stand-in for the Airbyte 0.7.1-alpha containers of the demo stack: one binary, the mode says which container it is.
var mode = args.Length > 0 ? args[0] : "";
var settings = StandInSettings.FromEnvironment();
switch (mode)
{
    case "server":
    {
        await using var store = new PostgresJobStore(RequireDatabase(settings));
        var port = Environment.GetEnvironmentVariable("SERVER_PORT") is { Length: > 0 } p ? p : "8001";
        await ServerHost.Build(settings, store, $"http://0.0.0.0:{port}").RunAsync();
        return 0;
    }
    case "scheduler":
    {
        await using var store = new PostgresJobStore(RequireDatabase(settings));
        await SchedulerHost.Build(settings, store).RunAsync();
        return 0;
    }
    case "webapp":
    {
        var port = Environment.GetEnvironmentVariable("WEBAPP_PORT") is { Length: > 0 } p ? p : "80";
        await WebappHost.Build(settings, $"http://0.0.0.0:{port}").RunAsync();
        return 0;
    }
    case "worker" when args.Length == 3:
    {
        // Started by the scheduler with -w /data/<job>/<attempt>; the host's local folder is at /local.
        var localMount = Environment.GetEnvironmentVariable("LOCAL_MOUNT") is { Length: > 0 } l ? l : "/local";
        var summary = await SyncWorker.RunAsync(Directory.GetCurrentDirectory(), localMount, args[1], args[2], Console.WriteLine);
        return summary.Succeeded ? 0 : 1;
    }
    default:
        await Console.Error.WriteLineAsync("usage: standin server|scheduler|webapp|worker <source-image> <destination-image>");
        return 2;
}

static string RequireDatabase(StandInSettings settings) =>
    settings.DatabaseConnectionString ?? throw new InvalidOperationException("DATABASE_URL is not set (e.g. jdbc:postgresql://db:5432/airbyte).");
