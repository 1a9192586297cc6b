using AirbyteOps.StandIns.DemoStack.Jobs;

namespace AirbyteOps.StandIns.DemoStack.Scheduler;

/// <summary>The scheduler container's loop: wait for airbyte-db, fail jobs a previous scheduler left running, then run pending jobs one at a time.</summary>
public sealed class SchedulerService : BackgroundService
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    private readonly IJobStore _store;
    private readonly JobProcessor _processor;
    private readonly ILogger<SchedulerService> _logger;

    public SchedulerService(IJobStore store, JobProcessor processor, ILogger<SchedulerService> logger)
    {
        _store = store;
        _processor = processor;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await DatabaseWait.UntilReadyAsync(_store, _logger, stoppingToken).ConfigureAwait(false);
        var orphaned = await _store.FailOrphanedJobsAsync(stoppingToken).ConfigureAwait(false);
        if (orphaned > 0) _logger.LogWarning("Failed {Count} job/attempt rows left running by a previous scheduler.", orphaned);
        _logger.LogInformation("Scheduler stand-in ready; polling airbyte-db for pending jobs.");
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await _processor.ProcessNextAsync(stoppingToken).ConfigureAwait(false)) continue;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                _logger.LogError("Job processing failed: {Message}", ex.Message);
            }
            await Task.Delay(PollInterval, stoppingToken).ConfigureAwait(false);
        }
    }
}
