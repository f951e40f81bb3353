using System;

namespace Mediasoup.Channel;

/// <summary>Bytes accepted for the host but not yet written because the fd would block.
/// Never drops: it grows as needed.</summary>
public sealed class OutputQueue
{
    private byte[] _buffer = Array.Empty<byte>();
    private int _start;
    private int _end;

    public int Length => _end - _start;

    public bool IsEmpty => _end == _start;

    public ReadOnlySpan<byte> Pending => _buffer.AsSpan(_start, _end - _start);

    public void Append(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
            return;
        if (_buffer.Length - _end < data.Length)
        {
            int live = _end - _start;
            if (_buffer.Length - live >= data.Length && live <= _buffer.Length / 2)
            {
                System.Buffer.BlockCopy(_buffer, _start, _buffer, 0, live);
            }
            else
            {
                var bigger = new byte[Math.Max(_buffer.Length * 2, live + data.Length + 4096)];
                System.Buffer.BlockCopy(_buffer, _start, bigger, 0, live);
                _buffer = bigger;
            }
            _start = 0;
            _end = live;
        }
        data.CopyTo(_buffer.AsSpan(_end));
        _end += data.Length;
    }

    public void Consume(int count)
    {
        if (count < 0 || count > Length)
            throw new ArgumentOutOfRangeException(nameof(count));
        _start += count;
        if (_start == _end)
        {
            _start = _end = 0;
            // Give back a buffer inflated by a burst (e.g. a large dump).
            if (_buffer.Length > 1024 * 1024)
                _buffer = Array.Empty<byte>();
        }
    }

    public void Clear()
    {
        _start = _end = 0;
    }
}
