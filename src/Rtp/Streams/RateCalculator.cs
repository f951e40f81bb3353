using System;

namespace Mediasoup.Rtp.Streams;

/// <summary>Sliding-window rate meter: a ring of fixed-length items covering the window,
/// with the in-window total kept incrementally so Update and GetRate are O(1) amortised.
/// Time normally moves forward; a step back inside the window lands in the newest item,
/// one older than the window is ignored.</summary>
public sealed class RateCalculator
{
    public const long DefaultWindowSizeMs = 1000;
    public const float DefaultBpsScale = 8000f;
    public const int DefaultWindowItems = 100;

    private readonly long _windowSizeMs;
    private readonly long _itemSizeMs;
    private readonly double _rateScale;
    private readonly long[] _items;
    private int _newestIndex;
    private long _newestStartMs;
    private long _total;
    private long _bytes;
    // GetRate memo: valid while neither the time nor the total changed.
    private long _lastRate;
    private long _lastTimeMs;
    private long _lastTotal;

    public RateCalculator(long windowSizeMs = DefaultWindowSizeMs, float scale = DefaultBpsScale,
        int windowItems = DefaultWindowItems)
    {
        _windowSizeMs = Math.Max(windowSizeMs, 1);
        long items = Math.Max(windowItems, 1);
        // Rounded up so that the items always span at least the whole window.
        _itemSizeMs = (_windowSizeMs + items - 1) / items;
        _items = new long[(_windowSizeMs + _itemSizeMs - 1) / _itemSizeMs];
        _rateScale = scale / (double)_windowSizeMs;
    }

    public long WindowSizeMs => _windowSizeMs;

    /// <summary>Everything ever counted (not affected by <see cref="Reset"/>).</summary>
    public long Bytes => _bytes;

    public void Update(long size, long nowMs)
    {
        if (size <= 0 || !Slide(nowMs))
            return;
        _items[_newestIndex] += size;
        _total += size;
        _bytes += size;
    }

    /// <summary>Rate over the window ending at nowMs, in units per second times scale/1000
    /// (bits per second with the default scale).</summary>
    public long GetRate(long nowMs)
    {
        if (nowMs == _lastTimeMs && _total == _lastTotal)
            return _lastRate;

        Slide(nowMs);
        double rate = Math.Truncate(_total * _rateScale + 0.5);
        _lastTotal = _total;
        _lastTimeMs = nowMs;
        _lastRate = rate >= long.MaxValue ? long.MaxValue : (long)rate;
        return _lastRate;
    }

    public void Reset()
    {
        Array.Clear(_items);
        _newestIndex = 0;
        _newestStartMs = 0;
        _total = 0;
        _lastRate = 0;
        _lastTimeMs = 0;
        _lastTotal = 0;
    }

    // Expires items that fell out of the window ending at nowMs; false if nowMs is older
    // than the whole window (nothing changes then).
    private bool Slide(long nowMs)
    {
        long elapsed = nowMs - _newestStartMs;
        if (elapsed <= -_windowSizeMs)
            return false;
        if (elapsed < _itemSizeMs)
            return true;

        long steps = elapsed / _itemSizeMs;
        if (steps >= _items.Length)
        {
            if (_total != 0)
            {
                Array.Clear(_items);
                _total = 0;
            }
            _newestIndex = 0;
            _newestStartMs = nowMs;
            return true;
        }

        for (long i = 0; i < steps; i++)
        {
            if (++_newestIndex == _items.Length)
                _newestIndex = 0;
            _total -= _items[_newestIndex];
            _items[_newestIndex] = 0;
        }
        // Whole items only: absorbing the remainder would stretch the window.
        _newestStartMs += steps * _itemSizeMs;
        return true;
    }
}

/// <summary>Packet count plus byte rate of one RTP flow. Streams ignore the bytes of
/// padding-only packets (they still count as packets); transports count everything.</summary>
public sealed class RtpDataCounter
{
    public const long DefaultWindowSizeMs = 2500;

    private readonly RateCalculator _rate;
    private readonly bool _ignorePaddingOnly;

    public RtpDataCounter(bool ignorePaddingOnlyPackets = true, long windowSizeMs = DefaultWindowSizeMs)
    {
        _ignorePaddingOnly = ignorePaddingOnlyPackets;
        _rate = new RateCalculator(windowSizeMs);
    }

    public long PacketCount { get; private set; }
    public long Bytes => _rate.Bytes;

    public void Update(int size, int payloadLength, long nowMs)
    {
        PacketCount++;
        if (!_ignorePaddingOnly || payloadLength > 0)
            _rate.Update(size, nowMs);
    }

    public long GetBitrate(long nowMs) => _rate.GetRate(nowMs);
}
