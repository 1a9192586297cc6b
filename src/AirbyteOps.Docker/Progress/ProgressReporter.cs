using System.Diagnostics;
using System.Globalization;

namespace AirbyteOps.Progress;

/// <summary>
/// Progress of one long phase (a copy, an image build): files and bytes done of the total when known, the rate and
/// the time left. Quiet for the first <see cref="QuietFor"/> (a fast phase prints nothing); then, on a terminal, one
/// live line rewritten in place; when the output is not a terminal (CI, a log file), a plain line every
/// <see cref="PlainEvery"/>. Dispose ends it: the live line is cleared, so the phase's own summary line follows cleanly.
/// </summary>
public sealed class ProgressReporter : IDisposable
{
    public static readonly TimeSpan QuietFor = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan PlainEvery = TimeSpan.FromSeconds(5);

    private readonly string _what;
    private readonly long? _totalFiles;
    private readonly long? _totalBytes;
    private readonly Action<string> _log;
    private readonly TextWriter? _terminal;
    private readonly Func<TimeSpan> _clock;
    private readonly object _gate = new();
    private TimeSpan _lastShown = TimeSpan.Zero;
    private bool _liveShown;
    private long _files;
    private long _bytes;

    /// <param name="what">What is in progress, e.g. "Copying 12/1/normalize".</param>
    /// <param name="totalFiles">Files to do, when known.</param>
    /// <param name="totalBytes">Bytes to do, when known.</param>
    /// <param name="log">Where plain lines go (the build's log).</param>
    /// <param name="terminal">The terminal for a live line; null (the default when output is redirected) for plain lines.</param>
    /// <param name="clock">Elapsed time since the start (tests pass their own).</param>
    public ProgressReporter(string what, long? totalFiles, long? totalBytes, Action<string> log, TextWriter? terminal = null, Func<TimeSpan>? clock = null)
    {
        _what = what;
        _totalFiles = totalFiles;
        _totalBytes = totalBytes;
        _log = log;
        _terminal = terminal;
        if (clock is null)
        {
            var watch = Stopwatch.StartNew();
            clock = () => watch.Elapsed;
        }
        _clock = clock;
    }

    /// <summary>A reporter for the console: a live line when stdout is a terminal, plain lines otherwise.</summary>
    public static ProgressReporter ForConsole(string what, long? totalFiles, long? totalBytes, Action<string> log) =>
        new(what, totalFiles, totalBytes, log, Console.IsOutputRedirected ? null : Console.Out);

    public long Files => Interlocked.Read(ref _files);
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Counts work done and shows it when it is time to.</summary>
    public void Add(long files, long bytes)
    {
        Interlocked.Add(ref _files, files);
        Interlocked.Add(ref _bytes, bytes);
        var now = _clock();
        if (now < QuietFor) return;
        lock (_gate)
        {
            if (_terminal is not null)
            {
                if (now - _lastShown < TimeSpan.FromMilliseconds(200)) return;
                _terminal.Write("\r" + Describe(now) + "\u001b[K");
                _terminal.Flush();
                _liveShown = true;
            }
            else
            {
                if (_lastShown != TimeSpan.Zero && now - _lastShown < PlainEvery) return;
                _log(Describe(now));
            }
            _lastShown = now;
        }
    }

    /// <summary>"what: 120 of 400 files, 12.0 MB of 40.0 MB (30 %), 4.0 MB/s, 7 s left".</summary>
    public string Describe(TimeSpan elapsed)
    {
        var files = Files;
        var bytes = Bytes;
        var parts = new List<string>();
        if (_totalFiles is { } tf) parts.Add(string.Create(CultureInfo.InvariantCulture, $"{files} of {tf} files"));
        else if (files > 0) parts.Add(string.Create(CultureInfo.InvariantCulture, $"{files} files"));
        parts.Add(_totalBytes is { } tb && tb > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{Size(bytes)} of {Size(tb)} ({100.0 * bytes / tb:0} %)")
            : Size(bytes));
        var seconds = elapsed.TotalSeconds;
        var rate = seconds > 0 ? bytes / seconds : 0;
        parts.Add(Size((long)rate) + "/s");
        if (_totalBytes is { } total && rate > 0 && total >= bytes)
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{Math.Ceiling((total - bytes) / rate):0} s left"));
        return $"{_what}: {string.Join(", ", parts)}";
    }

    /// <summary>The size of a tar of entries of these sizes (a 512-byte header each, bodies padded to 512, two closing blocks).</summary>
    public static long TarSize(IEnumerable<long> entrySizes) => entrySizes.Sum(size => 512 + (size + 511) / 512 * 512) + 1024;

    public static string Size(long bytes) => bytes switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0 / 1024.0:0.0} MB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0 / 1024.0 / 1024.0:0.00} GB"),
    };

    public void Dispose()
    {
        lock (_gate)
        {
            if (!_liveShown || _terminal is null) return;
            _terminal.Write("\r\u001b[K");
            _terminal.Flush();
            _liveShown = false;
        }
    }
}

/// <summary>A read-only pass-through stream that counts the bytes read into a <see cref="ProgressReporter"/>.</summary>
public sealed class ProgressStream(Stream inner, ProgressReporter progress, bool leaveOpen = false) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => inner.Length;
    public override long Position { get => inner.Position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = inner.Read(buffer, offset, count);
        progress.Add(0, read);
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        progress.Add(0, read);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !leaveOpen) inner.Dispose();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!leaveOpen) await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
