using System;

namespace Mediasoup.Rtp.Streams;

/// <summary>Accounting of one consumer (send) stream: counters and bitrate, RR-derived loss,
/// jitter, RTT and score, and the values its RTCP SR and XR DLRR need.</summary>
public sealed class SendStreamStats
{
    public const byte InitialScore = 10;
    /// <summary>A stream whose last packet is older than this sends no SR: extrapolating
    /// would announce RTP timestamps of packets never sent.</summary>
    public const long MaxSenderReportReferenceAgeMs = 2000;

    private readonly uint _clockRate;
    private readonly StreamScore _score;
    private readonly RtpDataCounter _transmission = new(ignorePaddingOnlyPackets: true);
    private long _maxPacketCaptureAtUs = -1;
    private int _lostPriorScore;
    private long _sentPriorScore;
    private long _repairedPriorScore;
    private long _retransmittedPriorScore;
    private uint _rrtrCompactNtp;
    private long _rrtrReceivedAtUs;
    private bool _hasRrtr;

    public SendStreamStats(uint clockRate, long nowMs)
    {
        _clockRate = clockRate;
        _score = new StreamScore(InitialScore, nowMs);
    }

    public SeqTracker Seq { get; } = new();
    public uint ClockRate => _clockRate;
    public byte Score => _score.Score;
    public byte PreviousScore => _score.PreviousScore;
    public long ActiveSinceMs => _score.ActiveSinceMs;

    public long PacketCount => _transmission.PacketCount;
    public long ByteCount => _transmission.Bytes;
    public long GetBitrate(long nowMs) => _transmission.GetBitrate(nowMs);
    /// <summary>From the last RR.</summary>
    public int PacketsLost { get; private set; }
    public byte FractionLost { get; private set; }
    public float Jitter { get; private set; }
    public long PacketsDiscarded => Seq.PacketsDiscarded;
    public long PacketsRetransmitted { get; private set; }
    public long PacketsRepaired { get; private set; }
    public long NackCount { get; private set; }
    public long NackPacketCount { get; private set; }
    public long PliCount { get; private set; }
    public long FirCount { get; private set; }
    public float RoundTripTimeMs { get; private set; }
    public float LossPercentage => FractionLost * 100f / 256f;
    public uint MaxPacketTs => Seq.MaxPacketTs;

    /// <summary>Sequence validation of an outgoing (already rewritten) packet. Discarded
    /// means do not send; Restarted means the retransmission buffer must be cleared.
    /// captureAtUs is when the media was captured in our clock, or -1 if unknown.</summary>
    public SeqUpdateResult OnPacket(ushort seq, uint timestamp, long nowUs, long captureAtUs = -1)
    {
        var r = Seq.Update(seq, timestamp, nowUs);
        if (Seq.MaxPacketTsUpdated)
            _maxPacketCaptureAtUs = captureAtUs;
        return r;
    }

    /// <summary>Counts a packet actually sent (after the duplicate check against the
    /// retransmission buffer).</summary>
    public void CountSent(int size, int payloadLength, long nowMs) => _transmission.Update(size, payloadLength, nowMs);

    public void CountNackReceived(int requestedPackets)
    {
        NackCount++;
        NackPacketCount += Math.Max(requestedPackets, 0);
    }

    /// <summary>Packets resent for NACKs; first-time resends count as repaired.</summary>
    public void CountRetransmitted(int packets, int firstTimePackets)
    {
        PacketsRetransmitted += Math.Max(packets, 0);
        PacketsRepaired += Math.Max(firstTimePackets, 0);
    }

    public void CountPli() => PliCount++;
    public void CountFir() => FirCount++;

    /// <summary>A receiver report block for this SSRC. rttMs comes from
    /// <see cref="RtcpTiming.RttMs"/> over the block's LSR/DLSR. True if the score changed.</summary>
    public bool ReceiveReceiverReport(byte fractionLost, int totalLost, uint jitter, float rttMs, long nowMs)
    {
        RoundTripTimeMs = float.IsFinite(rttMs) ? Math.Max(rttMs, 0f) : 0f;
        PacketsLost = totalLost;
        FractionLost = fractionLost;
        Jitter = jitter;
        return UpdateScore(totalLost, nowMs);
    }

    /// <summary>XR RRTR from the receiver, echoed later in our DLRR.</summary>
    public void ReceiveXrReceiverReferenceTime(uint ntpSeconds, uint ntpFractions, long nowUs)
    {
        _rrtrCompactNtp = RtcpTiming.Compact(ntpSeconds, ntpFractions);
        _rrtrReceivedAtUs = nowUs;
        _hasRrtr = true;
    }

    public bool TryGetDelaySinceLastRr(long nowUs, out uint lastRr, out uint dlrr)
    {
        lastRr = _hasRrtr ? _rrtrCompactNtp : 0;
        dlrr = _hasRrtr ? RtcpTiming.DelayToCompact(nowUs - _rrtrReceivedAtUs) : 0;
        return _hasRrtr;
    }

    /// <summary>SR values: the RTP timestamp of "now" extrapolated from the newest packet's
    /// capture time (its send time when unknown). False when nothing was sent or the
    /// stream has been idle for longer than <see cref="MaxSenderReportReferenceAgeMs"/>.</summary>
    public bool TryGetSenderReport(long nowUs, out uint rtpTimestamp, out uint packetCount, out uint octetCount)
    {
        rtpTimestamp = packetCount = octetCount = 0;
        if (_transmission.PacketCount == 0)
            return false;
        if ((nowUs - Seq.MaxPacketAtUs) / 1000 > MaxSenderReportReferenceAgeMs)
            return false;
        long referenceUs = _maxPacketCaptureAtUs >= 0 ? _maxPacketCaptureAtUs : Seq.MaxPacketAtUs;
        long diffUs = nowUs > referenceUs ? nowUs - referenceUs : 0;
        long diffTs = diffUs * _clockRate / 1_000_000;
        rtpTimestamp = unchecked((uint)(Seq.MaxPacketTs + diffTs));
        packetCount = unchecked((uint)_transmission.PacketCount);
        octetCount = unchecked((uint)_transmission.Bytes);
        return true;
    }

    public void Pause() => Jitter = 0;

    /// <summary>Forces a score without history (consumers reset to 10 on layer switches).</summary>
    public bool ResetScore(byte score, long nowMs) => _score.Reset(score, nowMs);

    private bool UpdateScore(int reportTotalLost, long nowMs)
    {
        long totalSent = _transmission.PacketCount;
        uint sent = unchecked((uint)(totalSent - _sentPriorScore));
        _sentPriorScore = totalSent;

        int totalLost = Math.Max(reportTotalLost, 0);
        uint lost = totalLost < _lostPriorScore ? 0 : (uint)(totalLost - _lostPriorScore);
        _lostPriorScore = totalLost;

        uint repaired = unchecked((uint)(PacketsRepaired - _repairedPriorScore));
        _repairedPriorScore = PacketsRepaired;

        uint retransmitted = unchecked((uint)(PacketsRetransmitted - _retransmittedPriorScore));
        _retransmittedPriorScore = PacketsRetransmitted;

        return _score.AddSample(StreamScore.SendSample(sent, lost, repaired, retransmitted), nowMs);
    }
}
