using AirbyteOps.Docker;

namespace AirbyteOps.Workspace.Tests;

/// <summary>DbtRun's image when none is named: the tag the attempt's own "Preparing command: docker run ..." line ran; never an untagged one.</summary>
public sealed class NormalizationImageChoiceTests
{
    // The shape of 0.7.1's DockerProcessBuilderFactory(create) DEBUG line (workspace/LAYOUT.md): the sync's source and
    // destination commands come first, the normalization run after them.
    private static readonly string[] SyncLog =
    [
        "2020-12-11 14:37:09 INFO (/tmp/workspace/5/0) WorkerRun(call):62 - Executing worker wrapper...",
        "2020-12-11 14:37:10 DEBUG (/tmp/workspace/5/0) DockerProcessBuilderFactory(create):88 - Preparing command: docker run --rm -i -v airbyte_workspace:/data -v /tmp/airbyte_local:/local -w /data/5/0 --network host airbyte/source-file:0.1.6 read --config tap_config.json --catalog catalog.json",
        "2020-12-11 14:37:10 DEBUG (/tmp/workspace/5/0) DockerProcessBuilderFactory(create):88 - Preparing command: docker run --rm -i -v airbyte_workspace:/data -v /tmp/airbyte_local:/local -w /data/5/0 --network host airbyte/destination-postgres:0.1.9 write --config target_config.json --catalog catalog.json",
        "2020-12-11 14:37:20 DEBUG (/tmp/workspace/5/0) DockerProcessBuilderFactory(create):88 - Preparing command: docker run --rm -i -v airbyte_workspace:/data -v /tmp/airbyte_local:/local -w /data/5/0/normalize --network host airbyte/normalization:0.1.2 run --integration-type postgres --config destination_config.json --catalog destination_catalog.json",
        "2020-12-11 14:37:30 INFO (/tmp/workspace/5/0) DefaultNormalizationRunner(runProcess):70 - Done.",
    ];

    [Fact]
    public void The_image_is_the_tagged_normalization_image_the_attempts_docker_run_line_names()
    {
        Assert.Equal("airbyte/normalization:0.1.2", NormalizationImageChoice.FromLog(SyncLog));
        var newer = SyncLog.Select(l => l.Replace("airbyte/normalization:0.1.2", "registry.example:5000/airbyte/normalization:0.1.36", StringComparison.Ordinal));
        Assert.Equal("registry.example:5000/airbyte/normalization:0.1.36", NormalizationImageChoice.FromLog(newer));
    }

    [Fact]
    public void No_docker_run_of_a_tagged_normalization_image_means_none_from_the_log()
    {
        Assert.Null(NormalizationImageChoice.FromLog(SyncLog.Take(3)));
        // Untagged, or named outside a "Preparing command: docker run" line: not taken.
        Assert.Null(NormalizationImageChoice.FromLog(["... Preparing command: docker run --rm -i -w /data/5/0/normalize airbyte/normalization run"]));
        Assert.Null(NormalizationImageChoice.FromLog(["... INFO - pulling airbyte/normalization:0.1.2 ..."]));
    }

    [Fact]
    public void An_untagged_image_is_refused_and_a_tagged_or_digest_one_kept()
    {
        var error = Assert.Throws<DockerOpsException>(() => NormalizationImageChoice.RequireTag("airbyte/normalization"));
        Assert.Contains("no tag", error.Message, StringComparison.Ordinal);
        Assert.Throws<DockerOpsException>(() => NormalizationImageChoice.RequireTag("registry.example:5000/airbyte/normalization"));
        Assert.Equal("airbyte/normalization:0.1.2", NormalizationImageChoice.RequireTag("airbyte/normalization:0.1.2"));
        Assert.Equal("airbyte/normalization@sha256:abc", NormalizationImageChoice.RequireTag("airbyte/normalization@sha256:abc"));
    }

    [Theory]
    [InlineData("0.7.1-alpha")]
    [InlineData("v0.7.0-alpha")]
    public void Without_a_log_line_Airbyte_0_7_runs_its_known_tag(string version) =>
        Assert.Equal("airbyte/normalization:0.1.2", NormalizationImageChoice.ForVersion(version, "fallback:1", "job 5 attempt 0"));

    [Fact]
    public void Without_a_log_line_an_unknown_version_takes_the_fallback_and_a_version_without_a_known_tag_is_refused()
    {
        Assert.Equal("fallback:1", NormalizationImageChoice.ForVersion(null, "fallback:1", "job 5 attempt 0"));
        var error = Assert.Throws<WorkspaceException>(() => NormalizationImageChoice.ForVersion("0.27.3-alpha", "airbyte/normalization:0.1.2", "job 5 attempt 0"));
        Assert.Equal("job 5 attempt 0's log names no normalization image and the tag Airbyte 0.27.3-alpha ran is not known here: pass --normalization-image airbyte/normalization:<tag> (the tag your deployment's worker runs; a real host has no untagged image).", error.Message);
    }
}
