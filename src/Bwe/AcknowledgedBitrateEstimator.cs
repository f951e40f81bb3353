using System;

namespace Mediasoup.Bwe;

/// <summary>
/// The rate the receiver confirmed receiving, per feedback: the bytes it reports received over
/// the arrival time they cover (from the previous feedback's last arrival when it continues that
/// one, else from its own first arrival, that packet's bytes excluded), summed over the latest
/// feedbacks covering at least <see cref="WindowUs"/>. A lost feedback leaves a gap that counts
/// neither bytes nor time, so feedback loss does not read as a lower rate.
/// <see cref="RecentBitrateBps"/> is the same over the latest <see cref="RecentWindowUs"/>: what
/// the link carries now, for a decrease on over-use (a half-second window that is half from
/// before a trial or a drop reads a rate the link never had at that moment).
/// </summary>
internal sealed class AcknowledgedBitrateEstimator
{
    public const long WindowUs = 500_000;
    public const long MinSpanUs = 150_000;
    public const long RecentWindowUs = 250_000;
    public const long RecentMinSpanUs = 100_000;
    private const int Slots = 64;

    private readonly long[] _bytes = new long[Slots];
    private readonly long[] _spanUs = new long[Slots];
    private int _next;
    private int _count;
    private long _lastSequence = -1;
    private long _lastArrivalUs;

    /// <summary>Acknowledged bitrate (bit/s), 0 while unknown.</summary>
    public long BitrateBps { get; private set; }

    /// <summary>Acknowledged bitrate over the latest <see cref="RecentWindowUs"/> (bit/s), 0 while unknown.</summary>
    public long RecentBitrateBps { get; private set; }

    public long Update(ReadOnlySpan<PacketResult> results)
    {
        long bytes = 0, firstBytes = 0, minArrival = long.MaxValue, maxArrival = long.MinValue;
        long firstSeq = -1, lastSeq = -1;
        for (int i = 0; i < results.Length; i++)
        {
            ref readonly PacketResult r = ref results[i];
            if (firstSeq < 0)
                firstSeq = r.Sequence;
            lastSeq = r.Sequence;
            if (!r.Received)
                continue;
            bytes += r.Size;
            if (r.ArrivalUs < minArrival)
            {
                minArrival = r.ArrivalUs;
                firstBytes = r.Size;
            }
            if (r.ArrivalUs > maxArrival)
                maxArrival = r.ArrivalUs;
        }
        if (bytes == 0)
            return BitrateBps;

        long span;
        bool continues = firstSeq == _lastSequence + 1 && maxArrival > _lastArrivalUs && maxArrival - _lastArrivalUs < 4 * WindowUs;
        if (continues)
        {
            span = maxArrival - _lastArrivalUs;
        }
        else
        {
            span = maxArrival - minArrival;
            bytes -= firstBytes;
        }
        if (lastSeq > _lastSequence)
        {
            _lastSequence = lastSeq;
            _lastArrivalUs = maxArrival;
        }
        if (span <= 0)
            return BitrateBps;

        _bytes[_next] = bytes;
        _spanUs[_next] = span;
        _next = (_next + 1) % Slots;
        if (_count < Slots)
            _count++;

        BitrateBps = Sum(WindowUs, MinSpanUs, BitrateBps);
        RecentBitrateBps = Sum(RecentWindowUs, RecentMinSpanUs, RecentBitrateBps);
        return BitrateBps;
    }

    // The rate over the latest feedbacks covering at least windowUs; the old value until they span minSpanUs.
    private long Sum(long windowUs, long minSpanUs, long old)
    {
        long sumBytes = 0, sumSpan = 0;
        for (int i = 1; i <= _count && sumSpan < windowUs; i++)
        {
            int k = (_next - i + Slots) % Slots;
            sumBytes += _bytes[k];
            sumSpan += _spanUs[k];
        }
        return sumSpan >= minSpanUs ? sumBytes * 8_000_000 / sumSpan : old;
    }
}
