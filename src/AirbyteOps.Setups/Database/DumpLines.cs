namespace AirbyteOps.Setups.Database;

/// <summary>
/// A write-only stream that cuts what is written into it into lines (each with its '\n', the last one possibly without)
/// and hands every whole line to <see cref="OnLine"/>. A plain pg_dump is processed this way as it streams: memory holds
/// one line (one COPY row) at a time, never the dump. <see cref="Complete"/> hands over the last, unterminated line.
/// </summary>
internal abstract class LineSink : Stream
{
    private byte[] _pending = new byte[1 << 16];
    private int _length;
    private bool _completed;

    /// <summary>One line of the input, '\n' included when it had one; valid only during the call.</summary>
    protected abstract void OnLine(ReadOnlySpan<byte> line);

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_completed) throw new InvalidOperationException("The line sink is already complete.");
        while (buffer.Length > 0)
        {
            var newline = buffer.IndexOf((byte)'\n');
            if (newline < 0)
            {
                Append(buffer);
                return;
            }
            var piece = buffer[..(newline + 1)];
            if (_length == 0)
            {
                OnLine(piece);
            }
            else
            {
                Append(piece);
                OnLine(_pending.AsSpan(0, _length));
                _length = 0;
            }
            buffer = buffer[(newline + 1)..];
        }
    }

    /// <summary>The end of the input: the last line (if it had no '\n') is handed over.</summary>
    public void Complete()
    {
        if (_completed) return;
        _completed = true;
        if (_length > 0) OnLine(_pending.AsSpan(0, _length));
        _length = 0;
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (_length + bytes.Length > _pending.Length)
            Array.Resize(ref _pending, Math.Max(_pending.Length * 2, _length + bytes.Length));
        bytes.CopyTo(_pending.AsSpan(_length));
        _length += bytes.Length;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() { }
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}

/// <summary>
/// A read-only stream of <paramref name="source"/> passed through a <see cref="LineSink"/> (which writes into the buffer
/// it is given): what psql reads while the setup's dump streams from the setup, secrets put back line by line. Memory
/// holds one read chunk and what the sink made of it.
/// </summary>
internal sealed class LineTransformReadStream(Stream source, Func<Stream, LineSink> sinkFor) : ForwardReadStream
{
    private readonly MemoryStream _output = new();
    private readonly byte[] _chunk = new byte[1 << 16];
    private LineSink? _sink;
    private int _readAt;
    private bool _done;

    /// <summary>The sink, once reading has begun (to ask it what it saw).</summary>
    public LineSink? Sink => _sink;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _sink ??= sinkFor(_output);
        while (true)
        {
            var available = (int)_output.Length - _readAt;
            if (available > 0)
            {
                var count = Math.Min(available, buffer.Length);
                _output.GetBuffer().AsMemory(_readAt, count).CopyTo(buffer);
                _readAt += count;
                if (_readAt == _output.Length)
                {
                    _output.SetLength(0);
                    _readAt = 0;
                }
                return count;
            }
            if (_done) return 0;
            var read = await source.ReadAsync(_chunk, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                _sink.Complete();
                _done = true;
            }
            else
            {
                _sink.Write(_chunk.AsSpan(0, read));
            }
        }
    }
}
