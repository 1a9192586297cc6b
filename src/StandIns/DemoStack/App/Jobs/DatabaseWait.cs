namespace AirbyteOps.StandIns.DemoStack.Jobs;

/// <summary>
/// The stand-in of the WAIT_HOSTS wait the 0.7 containers did before starting: retry until airbyte-db accepts the
/// schema check (it may still be initialising when compose starts server and scheduler).
/// </summary>
public static class DatabaseWait
{
    public static async Task UntilReadyAsync(IJobStore store, ILogger logger, CancellationToken ct)
    {
        var attempt = 0;
        while (true)
        {
            try
            {
                await store.EnsureSchemaAsync(ct).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                if (++attempt % 10 == 1) logger.LogInformation("Waiting for airbyte-db: {Message}", ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
            }
        }
    }
}
