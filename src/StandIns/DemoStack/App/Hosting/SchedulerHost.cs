using AirbyteOps.StandIns.DemoStack.Jobs;
using AirbyteOps.StandIns.DemoStack.Scheduler;

namespace AirbyteOps.StandIns.DemoStack.Hosting;

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
