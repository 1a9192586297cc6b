using AirbyteOps.Docker;
using AirbyteOps.Engine;
using Docker.DotNet.Models;

namespace AirbyteOps.Tests.Engine;

/// <summary>
/// EnsureDocker takes the answer to a version request sent before it ran (the build sends it in Setup) instead of asking
/// again. The engine here is a socket nobody listens on, so only an answer taken from the earlier request can say it is up.
/// </summary>
public sealed class EnsureDockerFirstAnswerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("abops-ensure-docker-").FullName;
    private readonly List<string> _log = [];

    private DockerEngine Silent() => DockerEngine.Connect("unix://" + Path.Combine(_dir, "nobody.sock"));

    [Fact]
    public async Task An_earlier_answer_is_taken_without_asking_the_engine_again()
    {
        using var engine = Silent();
        var answer = Task.FromResult<VersionResponse?>(new VersionResponse { Version = "99.1.2-test", APIVersion = "1.99" });

        var version = await new EnsureDockerOperation(engine).RunAsync(new EnsureDockerOptions(_dir, TimeSpan.FromSeconds(5)) { FirstAnswer = answer }, _log.Add);

        Assert.Equal("99.1.2-test", version);
        Assert.Equal([$"Docker engine 99.1.2-test (API 1.99) answers at {engine.Endpoint}."], _log);
    }

    [Fact]
    public async Task Without_an_earlier_answer_the_silent_engine_is_asked_and_does_not_answer()
    {
        // Control: the same engine without the earlier answer fails (this endpoint is not the local engine's, so nothing is started).
        using var engine = Silent();

        var error = await Assert.ThrowsAsync<DockerOpsException>(() => new EnsureDockerOperation(engine).RunAsync(new EnsureDockerOptions(_dir, TimeSpan.FromSeconds(5)), _log.Add));

        Assert.Contains("does not answer", error.Message);
        Assert.Empty(_log);
    }

    [Fact]
    public async Task An_earlier_request_that_got_no_answer_is_handled_as_an_engine_that_does_not_answer()
    {
        using var engine = Silent();

        var error = await Assert.ThrowsAsync<DockerOpsException>(() => new EnsureDockerOperation(engine).RunAsync(
            new EnsureDockerOptions(_dir, TimeSpan.FromSeconds(5)) { FirstAnswer = Task.FromResult<VersionResponse?>(null) }, _log.Add));

        Assert.Contains("does not answer", error.Message);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
