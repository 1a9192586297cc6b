using AirbyteOps.Build;
using AirbyteOps.Build.Parameters;

namespace AirbyteOps.Tests.Build;

/// <summary>
/// Help alone runs without Cake's task engine (build.cake calls <see cref="BuildContext.HelpAlone"/>): only when Help is the
/// one target and no Cake option asks for the targets to be shown another way; the parameters are still checked first.
/// </summary>
public sealed class HelpAloneTests
{
    [Theory]
    [InlineData(new[] { "Help" }, new[] { "Cake.dll", "build/build.cake", "--target=Help" }, true)]
    [InlineData(new[] { "help" }, new[] { "Cake.dll", "build/build.cake", "--target=help", "--postgres-port", "3001", "--verbosity=diagnostic" }, true)]
    [InlineData(new[] { "Help", "Help" }, new[] { "Cake.dll", "build/build.cake", "--target=Help", "--target=Help", "--exclusive" }, true)]
    [InlineData(new[] { "Help", "StartPostgres" }, new[] { "Cake.dll", "build/build.cake", "--target=Help", "--target=StartPostgres" }, false)]
    [InlineData(new[] { "StartPostgres" }, new[] { "Cake.dll", "build/build.cake", "--target=StartPostgres" }, false)]
    [InlineData(new[] { "Help" }, new[] { "Cake.dll", "build/build.cake", "--target=Help", "--tree" }, false)]
    [InlineData(new[] { "Help" }, new[] { "Cake.dll", "build/build.cake", "--target=Help", "--showtree" }, false)]
    [InlineData(new[] { "Help" }, new[] { "Cake.dll", "build/build.cake", "--target=Help", "--dryrun" }, false)]
    [InlineData(new[] { "Help" }, new[] { "Cake.dll", "build/build.cake", "--target=Help", "--whatif" }, false)]
    [InlineData(new[] { "Help" }, new[] { "Cake.dll", "build/build.cake", "--target=Help", "--noop" }, false)]
    [InlineData(new[] { "Help" }, new[] { "Cake.dll", "build/build.cake", "--target=Help", "--description" }, false)]
    [InlineData(new[] { "Help" }, new[] { "Cake.dll", "build/build.cake", "--target=Help", "--showdescription=true" }, false)]
    public void Help_runs_alone_only_when_it_is_the_one_target_and_no_option_shows_the_targets_another_way(string[] targets, string[] process, bool alone) =>
        Assert.Equal(alone, BuildContext.IsHelpAlone(targets, process));

    [Fact]
    public void Help_alone_prints_the_targets_with_their_dependencies_and_every_parameter_in_one_log_call()
    {
        var calls = new List<string>();

        BuildContext.HelpAlone(RepositoryPaths.Root, new Dictionary<string, ICollection<string>> { ["target"] = ["Help"] }, calls.Add,
            [("StartPostgres", "Start the destination", ["EnsureDocker"]), ("EnsureDocker", "Make sure an engine answers", [])]);

        // One call to the log (Cake's log costs about 1 ms a call), holding every line.
        var lines = Assert.Single(calls).Split(Environment.NewLine);
        Assert.StartsWith("Usage: ./build.sh <Target>", lines[0]);
        var targets = lines.SkipWhile(l => l != "Targets:").Skip(1).TakeWhile(l => l.Length > 0).ToList();
        Assert.Equal(["  EnsureDocker           Make sure an engine answers", "  StartPostgres          Start the destination (after EnsureDocker)"], targets);
        Assert.Contains(lines, l => l.TrimStart().StartsWith("--postgres-port", StringComparison.Ordinal));
    }

    [Fact]
    public void Help_alone_checks_the_parameters_first_and_prints_nothing_when_one_is_wrong()
    {
        var lines = new List<string>();

        var error = Assert.Throws<ParameterException>(() => BuildContext.HelpAlone(RepositoryPaths.Root,
            new Dictionary<string, ICollection<string>> { ["target"] = ["Help"], ["postgres-port"] = ["99999"] }, lines.Add, []));

        Assert.Contains("--postgres-port must be a whole number from 1 to 65535, not '99999' (from the command line)", error.Message);
        Assert.Empty(lines);
    }
}
