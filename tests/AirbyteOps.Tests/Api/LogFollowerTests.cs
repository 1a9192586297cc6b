using AirbyteOps.Api;

namespace AirbyteOps.Tests.Api;

public sealed class LogFollowerTests
{
    [Theory]
    [InlineData(1000, 1)]
    [InlineData(1000, 2)]
    [InlineData(100, 3)]
    public void Across_a_tail_window_no_line_is_lost_or_repeated(int window, int seed)
    {
        var random = new Random(seed);
        // Timestamped lines, with repeated messages (as real logs have) and a growth up to just under the window per poll.
        var log = Enumerable.Range(0, 5000).Select(i => $"2021-07-01 10:{i / 60 % 60:00}:{i % 60:00} INFO {(i % 7 == 0 ? "heartbeat" : $"record batch {i}")}").ToList();
        var follower = new LogFollower();
        var seen = new List<string>();
        for (var shown = 0; shown < log.Count;)
        {
            shown = Math.Min(log.Count, shown + random.Next(0, window));
            seen.AddRange(follower.Next(log.Take(shown).TakeLast(window).ToList()));
        }
        Assert.Equal(log, seen);
    }

    [Fact]
    public void A_window_that_did_not_move_yields_nothing_and_a_grown_one_only_the_new_lines()
    {
        var follower = new LogFollower();
        Assert.Equal(["a", "b"], follower.Next(["a", "b"]));
        Assert.Empty(follower.Next(["a", "b"]));
        Assert.Equal(["c"], follower.Next(["b", "c"]));
    }
}
