using System.Diagnostics;

namespace AirbyteOps.Docker;

/// <summary>
/// Waits for a condition by probing it at an interval until a timeout: never a fixed sleep.
/// Returns as soon as the probe succeeds; on timeout the error names what was awaited and the last failure.
/// </summary>
public static class Readiness
{
    public static async Task<TimeSpan> WaitUntilAsync(
        string what,
        Func<CancellationToken, Task<bool>> probe,
        TimeSpan timeout,
        TimeSpan? interval = null,
        CancellationToken ct = default)
    {
        var step = interval ?? TimeSpan.FromMilliseconds(200);
        var clock = Stopwatch.StartNew();
        string? lastError = null;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
                var left = timeout - clock.Elapsed;
                attempt.CancelAfter(left > TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1));
                if (await probe(attempt.Token).ConfigureAwait(false)) return clock.Elapsed;
                lastError = null;
            }
            catch (DockerOpsException) { throw; }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // The attempt's own deadline cut the probe off: the last error it did give still says why.
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                lastError = FirstLine(ex.Message);
            }
            if (clock.Elapsed >= timeout)
            {
                var tail = lastError is null ? "" : $" (last error: {lastError})";
                throw new DockerOpsException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {what}{tail}.");
            }
            await Task.Delay(step, ct).ConfigureAwait(false);
        }
    }

    internal static string FirstLine(string text)
    {
        var line = text.Split('\n', 2)[0].Trim();
        return line.Length > 300 ? line[..300] + "…" : line;
    }
}
