using System.Text;

namespace AirbyteOps.Docker;

/// <summary>
/// Turns chunks of UTF-8 output (a multiplexed exec or log stream) into lines, as they complete: a character split across
/// chunks is kept whole, a carriage return before the newline is dropped, and the last line without a newline comes at
/// <see cref="Flush"/>.
/// </summary>
internal sealed class LineSplitter(Action<string> onLine)
{
    private readonly Decoder _decoder = Encoding.UTF8.GetDecoder();
    private readonly StringBuilder _pending = new();
    private char[] _chars = new char[4096];

    public void Append(ReadOnlySpan<byte> chunk)
    {
        var needed = _decoder.GetCharCount(chunk, flush: false);
        if (_chars.Length < needed) _chars = new char[needed];
        var count = _decoder.GetChars(chunk, _chars, flush: false);
        _pending.Append(_chars, 0, count);
        var text = _pending.ToString();
        var start = 0;
        int newline;
        while ((newline = text.IndexOf('\n', start)) >= 0)
        {
            onLine(text[start..newline].TrimEnd('\r'));
            start = newline + 1;
        }
        _pending.Remove(0, start);
    }

    public void Flush()
    {
        if (_pending.Length > 0) onLine(_pending.ToString().TrimEnd('\r'));
        _pending.Clear();
    }
}
