namespace AirbyteOps.Docker;

/// <summary>
/// Runs a one-off container (like <c>docker run --rm</c>), streams its output line by line, returns its exit code. The
/// container carries its owner (<see cref="HelperOwner"/>): when this process is killed before its finally removes it, the
/// next run that needs its volumes removes it (<see cref="OrphanedHelpers"/>).
/// </summary>
public static class OneOffRun
{
    public static async Task<long> RunAsync(this DockerEngine engine, ContainerSpec spec, Action<string> onLine, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (timeout is { } t) cts.CancelAfter(t);
        var labels = new Dictionary<string, string>(spec.Labels) { [Labels.Managed] = "true", [Labels.Owner] = HelperOwner.Me.Label };
        var id = await engine.Containers.CreateAsync(spec with { Labels = labels }, cts.Token).ConfigureAwait(false);
        try
        {
            await engine.Containers.StartAsync(id, cts.Token).ConfigureAwait(false);
            await engine.Containers.FollowLogsAsync(id, onLine, cts.Token).ConfigureAwait(false);
            return await engine.Containers.WaitAsync(id, cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new DockerOpsException($"Container '{spec.Name}' ({spec.Image}) did not finish within {timeout!.Value.TotalSeconds:0} s.");
        }
        finally
        {
            await engine.Containers.RemoveAsync(id, force: true, removeAnonymousVolumes: true, CancellationToken.None).ConfigureAwait(false);
        }
    }
}
