using AirbyteOps.Docker;
using AirbyteOps.Images;

namespace AirbyteOps.Tests.Docker;

/// <summary>
/// <c>docker exec</c> with a stdin this process keeps open (a psql session fed line by line, say): when the command ends
/// first (psql could not connect yet, a tar that refused its input), the exec ends with it, whatever is left unread.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class ContainerExecTests(EngineFixture fixture) : IAsyncLifetime
{
    private readonly string _name = TestNames.Unique("exec");

    private DockerEngine Engine => fixture.Engine;

    public async Task InitializeAsync()
    {
        await Engine.Containers.CreateAsync(new ContainerSpec(_name, ImageCatalog.Busybox)
        {
            Command = ["sleep", "600"],
            NetworkMode = "none",
            Labels = new Dictionary<string, string> { [Labels.Managed] = "true" },
        });
        await Engine.Containers.StartAsync(_name);
    }

    [Fact]
    public async Task A_command_that_exits_while_its_stdin_is_still_open_ends_the_exec_with_its_exit_code()
    {
        // Given: a stdin that never ends on its own (nothing is ever written, and it is never completed).
        var stdin = new NeverEndingStream();
        // A generous bound: the exec must end because the command did, not because this gave up.
        using var giveUp = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var result = await Engine.ExecAsync(_name, ["sh", "-c", "echo gone >&2; exit 3"], stdin: stdin, ct: giveUp.Token);

        // (The bound running out would have thrown.)
        Assert.Equal(3, result.ExitCode);
        Assert.Equal("gone", result.LastError);
    }

    [Fact]
    public async Task A_command_that_exits_without_reading_a_large_stdin_ends_the_exec_with_its_exit_code()
    {
        // 64 MiB the command never reads: writing it fails once the command has ended.
        var stdin = new MemoryStream(new byte[64 << 20]);
        using var giveUp = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var result = await Engine.ExecAsync(_name, ["sh", "-c", "exit 3"], stdin: stdin, ct: giveUp.Token);

        Assert.Equal(3, result.ExitCode);
    }

    [Fact]
    public async Task A_command_that_reads_its_stdin_to_the_end_still_gets_all_of_it()
    {
        var input = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("line of input\n", 20_000))));
        var output = new MemoryStream();

        var result = await Engine.ExecAsync(_name, ["wc", "-l"], stdin: input, stdout: output);

        Assert.True(result.Succeeded, result.LastError);
        Assert.Equal("20000", System.Text.Encoding.UTF8.GetString(output.ToArray()).Trim());
    }

    public Task DisposeAsync() => Engine.Containers.RemoveAsync(_name, force: true, removeAnonymousVolumes: true);

    /// <summary>A read that waits until it is cancelled: a stdin whose writer has not finished.</summary>
    private sealed class NeverEndingStream : ReadOnlyTestStream
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            return 0;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
