using System;

namespace Mediasoup.Bwe;

/// <summary>
/// Rate a probe cluster achieved, from the feedback of its packets: once at least 80 % of its
/// packets and bytes are acknowledged, the send rate (bytes but the last packet's over the send
/// span) and the receive rate (bytes but the first packet's over the arrival span); the smaller
/// one, and if the receiver got less than 90 % of the send rate the link is saturated: 95 % of the
/// receive rate. Spans over 1 s, or a send/receive ratio over 2 (clustering artefact), give no result.
/// A fixed table of the last <see cref="Slots"/> clusters.
/// </summary>
internal sealed class ProbeBitrateEstimator
{
    public const int Slots = 8;
    private const double MinReceivedRatio = 0.80;
    private const double MaxValidRatio = 2.0;
    private const double MinRatioUnsaturated = 0.90;
    private const double SaturatedFraction = 0.95;
    private const long MaxIntervalUs = 1_000_000;

    private struct Cluster
    {
        public int Id;
        public int MinPackets;
        public int MinBytes;
        public int Packets;
        public long Bytes;
        public long FirstSendUs, LastSendUs, FirstArrivalUs, LastArrivalUs;
        public int LastSendSize, FirstArrivalSize;
        public long ResultBps;
    }

    private readonly Cluster[] _clusters = new Cluster[Slots];
    private int _next;

    public ProbeBitrateEstimator()
    {
        for (int i = 0; i < Slots; i++)
            _clusters[i].Id = -1;
    }

    public void Register(in ProbeCluster cluster)
    {
        ref Cluster c = ref _clusters[_next];
        _next = (_next + 1) % Slots;
        c = default;
        c.Id = cluster.Id;
        c.MinPackets = cluster.MinPackets;
        c.MinBytes = cluster.MinBytes;
        c.FirstSendUs = c.FirstArrivalUs = long.MaxValue;
        c.LastSendUs = c.LastArrivalUs = long.MinValue;
    }

    /// <summary>The latest result of a cluster (bit/s), 0 when none yet.</summary>
    public long ResultOf(int clusterId)
    {
        for (int i = 0; i < Slots; i++)
            if (_clusters[i].Id == clusterId)
                return _clusters[i].ResultBps;
        return 0;
    }

    /// <summary>Adds a received probe packet; returns the cluster's estimate (bit/s) when it has one, else 0.</summary>
    public long OnPacket(in PacketResult packet)
    {
        if (!packet.Received || packet.ProbeClusterId < 0)
            return 0;
        int index = -1;
        for (int i = 0; i < Slots; i++)
        {
            if (_clusters[i].Id == packet.ProbeClusterId)
            {
                index = i;
                break;
            }
        }
        if (index < 0)
            return 0;
        ref Cluster c = ref _clusters[index];
        c.Packets++;
        c.Bytes += packet.Size;
        if (packet.SendUs < c.FirstSendUs)
            c.FirstSendUs = packet.SendUs;
        if (packet.SendUs >= c.LastSendUs)
        {
            c.LastSendUs = packet.SendUs;
            c.LastSendSize = packet.Size;
        }
        if (packet.ArrivalUs < c.FirstArrivalUs)
        {
            c.FirstArrivalUs = packet.ArrivalUs;
            c.FirstArrivalSize = packet.Size;
        }
        if (packet.ArrivalUs > c.LastArrivalUs)
            c.LastArrivalUs = packet.ArrivalUs;

        if (c.Packets < MinReceivedRatio * c.MinPackets || c.Bytes < MinReceivedRatio * c.MinBytes)
            return 0;
        long sendSpan = c.LastSendUs - c.FirstSendUs;
        long receiveSpan = c.LastArrivalUs - c.FirstArrivalUs;
        if (sendSpan <= 0 || receiveSpan <= 0 || sendSpan > MaxIntervalUs || receiveSpan > MaxIntervalUs)
            return 0;
        double sendBps = (c.Bytes - c.LastSendSize) * 8e6 / sendSpan;
        double receiveBps = (c.Bytes - c.FirstArrivalSize) * 8e6 / receiveSpan;
        if (sendBps / receiveBps > MaxValidRatio)
            return 0;
        double result = Math.Min(sendBps, receiveBps);
        if (receiveBps < MinRatioUnsaturated * sendBps)
            result = SaturatedFraction * receiveBps;
        c.ResultBps = (long)result;
        return c.ResultBps;
    }
}
