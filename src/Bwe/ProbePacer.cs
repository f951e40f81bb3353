using System;

namespace Mediasoup.Bwe;

/// <summary>
/// Paces one probe cluster, sans IO: the transport asks <see cref="TryNext"/> on its loop timer
/// at <see cref="NextDeadlineUs"/> and sends one padding packet of the size it is given (with the
/// probator SSRC, reporting it to <see cref="SendSideBwe.OnPacketSent"/> with the cluster id).
/// Packets are spaced size × 8 / target apart; the cluster ends once it reached both its minimum
/// packets and bytes, so its volume is bounded by the cluster itself. Packet sizes are small at
/// low rates (a few hundred bytes) so a probe adds little queueing on a slow link.
/// </summary>
internal sealed class ProbePacer
{
    public const int MinPacketSize = 200;
    public const int MaxPacketSize = 1200;

    private ProbeCluster _cluster;
    private int _packetSize;
    private int _sentPackets;
    private long _sentBytes;

    /// <summary>When the next padding packet is due (µs); <see cref="long.MaxValue"/> when idle.</summary>
    public long NextDeadlineUs { get; private set; } = long.MaxValue;

    public bool IsActive { get; private set; }

    /// <summary>Id of the cluster of the packet <see cref="TryNext"/> last gave (-1 before any): pass it to <see cref="SendSideBwe.OnPacketSent"/>.</summary>
    public int ClusterId { get; private set; } = -1;

    public void Start(in ProbeCluster cluster, long nowUs)
    {
        _cluster = cluster;
        ClusterId = cluster.Id;
        _packetSize = Math.Clamp(cluster.MinBytes / Math.Max(cluster.MinPackets, 1), MinPacketSize, MaxPacketSize);
        _sentPackets = 0;
        _sentBytes = 0;
        IsActive = cluster.TargetBps > 0;
        NextDeadlineUs = IsActive ? nowUs : long.MaxValue;
    }

    public void Stop()
    {
        IsActive = false;
        NextDeadlineUs = long.MaxValue;
    }

    /// <summary>Whether a padding packet is due now; <paramref name="paddingBytes"/> is its size on the wire.</summary>
    public bool TryNext(long nowUs, out int paddingBytes)
    {
        paddingBytes = 0;
        if (!IsActive || nowUs < NextDeadlineUs)
            return false;
        paddingBytes = _packetSize;
        _sentPackets++;
        _sentBytes += paddingBytes;
        if (_sentPackets >= _cluster.MinPackets && _sentBytes >= _cluster.MinBytes)
        {
            Stop();
        }
        else
        {
            long gapUs = paddingBytes * 8_000_000L / _cluster.TargetBps;
            // A late timer does not make the rest of the cluster burst: keep the spacing from now.
            NextDeadlineUs = Math.Max(NextDeadlineUs + gapUs, nowUs + gapUs / 2);
        }
        return true;
    }
}
