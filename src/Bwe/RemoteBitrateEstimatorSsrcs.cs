using System;

namespace Mediasoup.Bwe;

/// <summary>The SSRCs heard from lately (a REMB names the streams its bitrate covers,
/// draft-alvestrand-rmcat-remb-03 §2.2): a fixed table, a stream silent for
/// <see cref="TimeoutUs"/> drops out, the longest-silent one makes room when it is full.</summary>
public sealed class RemoteStreamSsrcs
{
    public const int Capacity = 32;
    public const long TimeoutUs = 2_000_000;

    private readonly uint[] _ssrcs = new uint[Capacity];
    private readonly long[] _lastSeenUs = new long[Capacity];
    private int _count;

    public int Count => _count;

    public void Seen(uint ssrc, long nowUs)
    {
        int oldest = 0;
        for (int i = 0; i < _count; i++)
        {
            if (_ssrcs[i] == ssrc)
            {
                _lastSeenUs[i] = nowUs;
                return;
            }
            if (_lastSeenUs[i] < _lastSeenUs[oldest])
                oldest = i;
        }
        int slot = _count < Capacity ? _count++ : oldest;
        _ssrcs[slot] = ssrc;
        _lastSeenUs[slot] = nowUs;
    }

    /// <summary>Drops the streams silent too long and copies the others; returns how many.</summary>
    public int CopyActive(Span<uint> destination, long nowUs)
    {
        int n = 0;
        for (int i = 0; i < _count;)
        {
            if (nowUs - _lastSeenUs[i] > TimeoutUs)
            {
                _count--;
                _ssrcs[i] = _ssrcs[_count];
                _lastSeenUs[i] = _lastSeenUs[_count];
                continue;
            }
            if (n < destination.Length)
                destination[n++] = _ssrcs[i];
            i++;
        }
        return n;
    }
}
