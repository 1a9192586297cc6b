namespace AirbyteOps.Docker;

/// <summary>
/// A read-only view of a stream the engine sends (archive bodies). Docker.DotNet's response streams only
/// read asynchronously, and their chunked reader throws EndOfStreamException when asked for zero bytes
/// mid-chunk (System.Formats.Tar does that at the end of each entry). This one also reads synchronously and
/// answers zero-byte reads itself, so TarReader, SharpCompress and CopyTo work on it. When the engine stops or goes away
/// mid-body, the connection's failure (EndOfStreamException, IOException, ...) becomes the one-line engine error.
/// </summary>
internal sealed class EngineStream : Stream
{
    private readonly Stream _inner;
    private readonly DockerEngine _engine;

    public EngineStream(Stream inner, DockerEngine engine, string subject)
    {
        _inner = inner;
        _engine = engine;
        Subject = subject;
    }

    /// <summary>What is being copied, for the error ("copying '/data' out of container 'airbyte-server'").</summary>
    public string Subject { get; set; }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) =>
        count == 0 ? 0 : ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        buffer.Length == 0 ? ValueTask.FromResult(0) : ReadGuardedAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        count == 0 ? Task.FromResult(0) : ReadGuardedAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private async ValueTask<int> ReadGuardedAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            return await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or HttpRequestException or ObjectDisposedException && !cancellationToken.IsCancellationRequested)
        {
            throw _engine.StreamBroken(Subject, ex);
        }
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _inner.Dispose();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await _inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
