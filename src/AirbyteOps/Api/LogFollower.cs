namespace AirbyteOps.Api;

/// <summary>
/// Follows a log that the API only shows as a tail window (the last 100 lines in 0.7.1, 1000 in 0.7.2–0.19): each
/// window is matched to the previous one by content, not by line count, so lines that slid out of the window are not
/// lost from the count and lines still in it are not printed twice. The new lines are those after the longest end of
/// the previous window that the new window starts with.
/// </summary>
public sealed class LogFollower
{
    private IReadOnlyList<string> _previous = [];

    /// <summary>The lines of <paramref name="window"/> not seen before.</summary>
    public IReadOnlyList<string> Next(IReadOnlyList<string> window)
    {
        var overlap = Overlap(_previous, window);
        _previous = window;
        return window.Skip(overlap).ToList();
    }

    private static int Overlap(IReadOnlyList<string> previous, IReadOnlyList<string> window)
    {
        for (var k = Math.Min(previous.Count, window.Count); k > 0; k--)
        {
            var start = previous.Count - k;
            var same = true;
            for (var i = 0; i < k && same; i++) same = string.Equals(previous[start + i], window[i], StringComparison.Ordinal);
            if (same) return k;
        }
        return 0;
    }
}
