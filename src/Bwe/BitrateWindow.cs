using System;

namespace Mediasoup.Bwe;

/// <summary>
/// A bitrate over the last <see cref="WindowUs"/> of a clock: bytes of the packets whose time
/// falls in the window. With arrival times (receiver clock) of acknowledged packets it is the
/// acknowledged-bitrate estimator; with send times, the send rate. Fixed ring of samples; the
/// window slides as newer times come in, so a stall leaves the last value.
/// </summary>
internal sealed class BitrateWindow
{
    public const long WindowUs = 500_000;
    /// <summary>Less than this span of arrivals gives no estimate yet.</summary>
    public const long MinSpanUs = 150_000;
    private const int Capacity = 4096;

    private readonly long[] _timeUs = new long[Capacity];
    private readonly int[] _size = new int[Capacity];
    private int _head;
    private int _count;
    private long _bytes;
    private long _latestUs = long.MinValue;
    private long _firstUs = long.MinValue;

    /// <summary>Acknowledged bitrate (bit/s), 0 while unknown.</summary>
    public long BitrateBps { get; private set; }

    public void Reset()
    {
        _head = 0;
        _count = 0;
        _bytes = 0;
        _latestUs = long.MinValue;
        _firstUs = long.MinValue;
        BitrateBps = 0;
    }

    public void Add(long timeUs, int size)
    {
        if (_count > 0 && (timeUs - _latestUs > 10 * WindowUs || _latestUs - timeUs > 10 * WindowUs))
            Reset(); // clock jump (another receiver clock)
        if (_firstUs == long.MinValue)
            _firstUs = timeUs;
        if (timeUs > _latestUs)
            _latestUs = timeUs;
        if (_count == Capacity)
            Evict();
        int tail = (_head + _count) % Capacity;
        _timeUs[tail] = timeUs;
        _size[tail] = size;
        _count++;
        _bytes += size;
    }

    /// <summary>Recomputes the rate after a batch of <see cref="Add"/>.</summary>
    public long Update()
    {
        if (_count == 0)
            return BitrateBps;
        long cutoff = _latestUs - WindowUs;
        while (_count > 0 && _timeUs[_head] <= cutoff)
            Evict();
        long spanUs = Math.Min(WindowUs, _latestUs - _firstUs);
        if (spanUs >= MinSpanUs)
            BitrateBps = _bytes * 8 * 1_000_000 / spanUs;
        return BitrateBps;
    }

    private void Evict()
    {
        _bytes -= _size[_head];
        _head = (_head + 1) % Capacity;
        _count--;
    }
}
