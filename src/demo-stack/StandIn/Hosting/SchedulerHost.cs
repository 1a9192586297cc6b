using AirbyteOps.DemoStack.StandIn.Jobs;
using AirbyteOps.DemoStack.StandIn.Scheduler;

namespace AirbyteOps.DemoStack.StandIn.Hosting;

/// <summary>Builds the scheduler (airbyte-scheduler stand-in): no HTTP, just the job loop.</summary>
public static class SchedulerHost
{
    public static IHost Build(StandInSettings settings, IJobStore store)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(store);
        builder.Services.AddSingleton<ISyncRunner>(settings.WorkerMode == "in-process" ? new InProcessSyncRunner(settings) : new DockerSyncRunner(settings));
        builder.Services.AddSingleton<JobProcessor>();
        builder.Services.AddHostedService<SchedulerService>();
        return builder.Build();
    }
}
