using System;

namespace Mediasoup.Bwe;

/// <summary>
/// Reads a sender's start-up probes (libwebrtc senders send short clusters of large packets at
/// a few times their start rate): while the receive-side estimate is young, large packets are
/// kept in a small ring; runs of at least <see cref="MinClusterDeltas"/> send intervals that
/// agree within <see cref="ClusterToleranceUs"/> form clusters, and a cluster that arrived about
/// as spaced as it was sent shows a rate the path carried: min(sent rate, received rate).
/// Sans IO, fixed arrays.
/// </summary>
public sealed class RemoteProbeDetector
{
    public const int Capacity = 15;
    public const int MinProbePacketSize = 200;
    public const int MinClusterDeltas = 4;
    public const long ClusterToleranceUs = 2500;

    // A cluster counts when it arrived neither much more spread out (the path could not carry
    // it) nor much more bunched up (queued behind something) than it was sent.
    private const long MaxArrivalSpreadUs = 2000;
    private const long MaxArrivalBunchingUs = 5000;

    private readonly long[] _sendUs = new long[Capacity];
    private readonly long[] _arrivalUs = new long[Capacity];
    private readonly int[] _size = new int[Capacity];
    private int _count;

    public void Reset() => _count = 0;

    /// <summary>Adds a packet; the best probed rate (bps) when the kept packets show one, else 0.</summary>
    public long Add(long sendUs, long arrivalUs, int size)
    {
        if (size < MinProbePacketSize)
            return 0;
        if (_count == Capacity)
        {
            Array.Copy(_sendUs, 1, _sendUs, 0, Capacity - 1);
            Array.Copy(_arrivalUs, 1, _arrivalUs, 0, Capacity - 1);
            Array.Copy(_size, 1, _size, 0, Capacity - 1);
            _count--;
        }
        _sendUs[_count] = sendUs;
        _arrivalUs[_count] = arrivalUs;
        _size[_count] = size;
        _count++;
        return BestClusterRate();
    }

    private long BestClusterRate()
    {
        long best = 0;
        long sendSum = 0, recvSum = 0, sizeSum = 0;
        int n = 0, spaced = 0;
        for (int i = 1; i <= _count; i++)
        {
            bool end = i == _count;
            long sendDelta = 0, recvDelta = 0;
            if (!end)
            {
                sendDelta = _sendUs[i] - _sendUs[i - 1];
                recvDelta = _arrivalUs[i] - _arrivalUs[i - 1];
            }
            if (end || (n > 0 && Math.Abs(sendDelta * n - sendSum) >= ClusterToleranceUs * n))
            {
                best = Math.Max(best, ClusterRate(n, spaced, sendSum, recvSum, sizeSum));
                sendSum = recvSum = sizeSum = 0;
                n = spaced = 0;
                if (end)
                    break;
            }
            sendSum += sendDelta;
            recvSum += recvDelta;
            sizeSum += _size[i];
            n++;
            if (sendDelta >= 1000 && recvDelta >= 1000)
                spaced++;
        }
        return best;
    }

    private static long ClusterRate(int n, int spaced, long sendSum, long recvSum, long sizeSum)
    {
        if (n < MinClusterDeltas || sendSum <= 0 || recvSum <= 0 || spaced * 2 <= n)
            return 0;
        long sendMean = sendSum / n, recvMean = recvSum / n;
        if (recvMean - sendMean > MaxArrivalSpreadUs || sendMean - recvMean > MaxArrivalBunchingUs)
            return 0;
        long bits = sizeSum * 8;
        return Math.Min(bits * 1_000_000 / sendSum, bits * 1_000_000 / recvSum);
    }
}
