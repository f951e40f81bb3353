using System;

namespace Mediasoup.Rtp.Streams;

/// <summary>Configuration of a producer's receive stream (from its RtpParameters).</summary>
public struct RecvStreamOptions
{
    public uint ClockRate;
    public byte SpatialLayers;
    public byte TemporalLayers;
    public bool UseNack;
    public bool UsePli;
    public bool UseFir;
    public bool UseInBandFec;
    public bool UseDtx;
    public bool HasRtx;
    /// <summary>Only simulcast producers with more than one stream use it.</summary>
    public bool UseInactivityCheck;
}

public enum KeyFrameRequestKind : byte
{
    None,
    Pli,
    Fir,
}

[Flags]
public enum RecvStreamEvents : byte
{
    None = 0,
    ScoreChanged = 1,
    /// <summary>See <see cref="RecvStreamStats.SpatialLayerActivityChanged"/>.</summary>
    SpatialLayerActivityChanged = 2,
}

/// <summary>Accounting of one producer (receive) stream: sequence validation, loss and
/// jitter for receiver reports, counters and bitrates for stats, score and inactivity.
/// The caller drives it with packets, RTCP values and <see cref="OnTimer"/>; NACK generation
/// and key frame requests live in their own classes and report back through the Count*
/// methods.</summary>
public sealed class RecvStreamStats
{
    public const long InactivityCheckIntervalMs = 1500;
    public const long InactivityCheckIntervalWithDtxMs = 5000;
    public const long SpatialLayersActivityCheckIntervalMs = 1500;
    public const byte InitialScore = 10;

    private RecvStreamOptions _opts;
    private readonly StreamScore _score;
    private readonly LayeredRtpCounter _transmission; // valid media + repaired RTX
    private readonly bool[] _layerActive;
    private readonly bool[] _layerChanged;
    private readonly long _inactivityIntervalMs;
    private long _inactivityDeadlineMs = long.MaxValue;
    private long _spatialCheckDeadlineMs = long.MaxValue;
    private bool _inactive;
    private uint _expectedPriorScore;
    private long _receivedPriorScore;
    private long _repairedPriorScore;
    private long _retransmittedPriorScore;
    private byte _firSeqNumber;
    private uint _srCompactNtp;
    private long _srReceivedAtUs;
    private uint _rtxSrCompactNtp;
    private long _rtxSrReceivedAtUs;
    private bool _hasRtxSr;

    public RecvStreamStats(in RecvStreamOptions options, long nowMs)
    {
        _opts = options;
        _opts.SpatialLayers = Math.Max(options.SpatialLayers, (byte)1);
        _opts.TemporalLayers = Math.Max(options.TemporalLayers, (byte)1);
        _score = new StreamScore(InitialScore, nowMs);
        _transmission = new LayeredRtpCounter(_opts.SpatialLayers, _opts.TemporalLayers, _opts.UseDtx ? 6000 : 2500);
        _inactivityIntervalMs = _opts.UseDtx ? InactivityCheckIntervalWithDtxMs : InactivityCheckIntervalMs;
        if (_opts.UseInactivityCheck)
            _inactivityDeadlineMs = nowMs + _inactivityIntervalMs;
        _layerActive = new bool[_opts.SpatialLayers];
        _layerChanged = new bool[_opts.SpatialLayers];
        // One SSRC carries every spatial layer of an SVC stream, so each is watched apart.
        if (_opts.SpatialLayers > 1)
            _spatialCheckDeadlineMs = nowMs + SpatialLayersActivityCheckIntervalMs;
        if (_opts.HasRtx)
            RtxSeq = new SeqTracker();
    }

    public SeqTracker Seq { get; } = new();
    /// <summary>Sequence state of the RTX SSRC; null without RTX.</summary>
    public SeqTracker? RtxSeq { get; private set; }
    public bool HasRtx => RtxSeq is not null;
    public uint ClockRate => _opts.ClockRate;
    public int SpatialLayers => _opts.SpatialLayers;
    public int TemporalLayers => _opts.TemporalLayers;
    /// <summary>Whether stats carry bitrateByLayer.</summary>
    public bool HasLayers => _opts.SpatialLayers > 1 || _opts.TemporalLayers > 1;
    public bool IsInactive => _inactive;

    public byte Score => _score.Score;
    public byte PreviousScore => _score.PreviousScore;
    public long ActiveSinceMs => _score.ActiveSinceMs;

    public long PacketCount => _transmission.PacketCount;
    public long ByteCount => _transmission.Bytes;
    public int PacketsLost => Seq.PacketsLost;
    public byte FractionLost => Seq.FractionLost;
    public float Jitter => Seq.Jitter;
    public long PacketsDiscarded => Seq.PacketsDiscarded;
    public long PacketsRetransmitted { get; private set; }
    public long PacketsRepaired { get; private set; }
    public long NackCount { get; private set; }
    public long NackPacketCount { get; private set; }
    public long PliCount { get; private set; }
    public long FirCount { get; private set; }
    public long RtxPacketsDiscarded => RtxSeq?.PacketsDiscarded ?? 0;
    public float RoundTripTimeMs { get; private set; }

    public bool HasSenderReport { get; private set; }
    /// <summary>NTP time (µs since the NTP epoch) and RTP timestamp of the last SR.</summary>
    public long LastSenderReportNtpUs { get; private set; }
    public uint LastSenderReportTs { get; private set; }
    public long LastSenderReportReceivedAtUs => _srReceivedAtUs;

    public long GetBitrate(long nowMs) => _transmission.GetBitrate(nowMs);
    public long GetBitrate(long nowMs, int spatialLayer, int temporalLayer) =>
        _transmission.GetBitrate(nowMs, spatialLayer, temporalLayer);
    public long GetSpatialLayerBitrate(long nowMs, int spatialLayer) =>
        _transmission.GetSpatialLayerBitrate(nowMs, spatialLayer);
    public long GetLayerBitrate(long nowMs, int spatialLayer, int temporalLayer) =>
        _transmission.GetLayerBitrate(nowMs, spatialLayer, temporalLayer);

    /// <summary>RTX learned after creation (e.g. via RRID).</summary>
    public void EnableRtx()
    {
        _opts.HasRtx = true;
        RtxSeq ??= new SeqTracker();
    }

    /// <summary>A packet on the media SSRC. Invalid ones (see <see cref="SeqTracker.IsValid"/>)
    /// must be dropped and touch nothing else.</summary>
    public SeqUpdateResult ReceivePacket(in RtpPacketInfo p, long nowUs, out bool scoreChanged)
    {
        scoreChanged = false;
        var r = Seq.Update(p.Seq, p.Timestamp, nowUs);
        if (!SeqTracker.IsValid(r))
            return r;
        if (r == SeqUpdateResult.Restarted)
        {
            _expectedPriorScore = 0;
            _receivedPriorScore = 0;
        }
        Seq.UpdateJitter(p.Timestamp, nowUs, _opts.ClockRate);
        long nowMs = nowUs / 1000;
        _transmission.Update(p, nowMs);
        scoreChanged = MarkActivity(p.PayloadLength, nowMs);
        return r;
    }

    /// <summary>Step 1 of an RTX packet (after the caller checked its payload type): sequence
    /// state of the RTX SSRC itself. False means drop it: NACK is not in use, or the RTX
    /// sequence is out of range (counted in RtxPacketsDiscarded).</summary>
    public bool ReceiveRtxStreamPacket(ushort rtxSeq, uint rtxTimestamp, long nowUs) =>
        _opts.UseNack && (RtxSeq is null || SeqTracker.IsValid(RtxSeq.Update(rtxSeq, rtxTimestamp, nowUs)));

    /// <summary>Step 2: the original packet decoded out of RTX. Moves the media sequence
    /// state without counting as received media, and counts a retransmission.</summary>
    public SeqUpdateResult ReceiveRetransmittedPacket(ushort seq, uint timestamp, long nowUs)
    {
        var r = Seq.Update(seq, timestamp, nowUs, countReceived: false);
        if (!SeqTracker.IsValid(r))
            return r;
        if (r == SeqUpdateResult.Restarted)
        {
            _expectedPriorScore = 0;
            _receivedPriorScore = 0;
        }
        PacketsRetransmitted++;
        return r;
    }

    /// <summary>Step 3, when the NACK generator accepted the retransmission: the packet
    /// counts as repaired and as traffic.</summary>
    public void ReceiveRepairedPacket(in RtpPacketInfo p, long nowUs, out bool scoreChanged)
    {
        PacketsRepaired++;
        long nowMs = nowUs / 1000;
        _transmission.Update(p, nowMs);
        scoreChanged = MarkActivity(p.PayloadLength, nowMs);
    }

    /// <summary>Without RTX a NACKed packet comes back on the media SSRC: the caller reports
    /// it here after <see cref="ReceivePacket"/> and the NACK generator recognised it.</summary>
    public void CountRetransmittedAndRepaired()
    {
        PacketsRetransmitted++;
        PacketsRepaired++;
    }

    public void CountNackSent(int requestedPackets)
    {
        NackCount++;
        NackPacketCount += Math.Max(requestedPackets, 0);
    }

    /// <summary>Which key frame request to send (PLI preferred), counting it.</summary>
    public KeyFrameRequestKind RequestKeyFrame(out byte firSeqNumber)
    {
        firSeqNumber = 0;
        if (_opts.UsePli)
        {
            PliCount++;
            return KeyFrameRequestKind.Pli;
        }
        if (_opts.UseFir)
        {
            FirCount++;
            firSeqNumber = ++_firSeqNumber;
            return KeyFrameRequestKind.Fir;
        }
        return KeyFrameRequestKind.None;
    }

    /// <summary>An SR for the media SSRC: remembers it for LSR/DLSR and the RTP/NTP mapping
    /// (unless the NTP time is zero), then computes a new score sample.</summary>
    public bool ReceiveSenderReport(uint ntpSeconds, uint ntpFractions, uint rtpTimestamp, long nowUs)
    {
        if (ntpSeconds != 0 || ntpFractions != 0)
        {
            _srCompactNtp = RtcpTiming.Compact(ntpSeconds, ntpFractions);
            _srReceivedAtUs = nowUs;
            HasSenderReport = true;
            LastSenderReportNtpUs = RtcpTiming.NtpToUs(ntpSeconds, ntpFractions);
            LastSenderReportTs = rtpTimestamp;
        }
        return UpdateScore(nowUs / 1000);
    }

    public void ReceiveRtxSenderReport(uint ntpSeconds, uint ntpFractions, long nowUs)
    {
        if (RtxSeq is null)
            return;
        _rtxSrCompactNtp = RtcpTiming.Compact(ntpSeconds, ntpFractions);
        _rtxSrReceivedAtUs = nowUs;
        _hasRtxSr = true;
    }

    /// <summary>Reception report for the media SSRC, with LSR/DLSR of the last SR (0 if none).
    /// The worst remote fraction lost only applies to in-band FEC streams.</summary>
    public ReceptionReport BuildReceiverReport(long nowUs, byte worstRemoteFractionLost, out uint lastSr, out uint dlsr)
    {
        var report = Seq.BuildReport(_opts.UseInBandFec ? worstRemoteFractionLost : (byte)0);
        lastSr = HasSenderReport ? _srCompactNtp : 0;
        dlsr = HasSenderReport ? RtcpTiming.DelayToCompact(nowUs - _srReceivedAtUs) : 0;
        return report;
    }

    /// <summary>Reception report for the RTX SSRC (no jitter), false without RTX.</summary>
    public bool TryBuildRtxReceiverReport(long nowUs, out ReceptionReport report, out uint lastSr, out uint dlsr)
    {
        if (RtxSeq is null)
        {
            report = default;
            lastSr = dlsr = 0;
            return false;
        }
        var r = RtxSeq.BuildReport();
        report = new ReceptionReport(r.FractionLost, r.TotalLost, r.ExtendedHighestSeq, 0);
        lastSr = _hasRtxSr ? _rtxSrCompactNtp : 0;
        dlsr = _hasRtxSr ? RtcpTiming.DelayToCompact(nowUs - _rtxSrReceivedAtUs) : 0;
        return true;
    }

    /// <summary>RTT from an XR DLRR block echoing our RRTR; the caller passes it on to the
    /// NACK generator.</summary>
    public float ReceiveXrDelaySinceLastRr(uint lastRr, uint dlrr, uint arrivalCompactNtp)
    {
        RoundTripTimeMs = RtcpTiming.RttMs(arrivalCompactNtp, lastRr, dlrr);
        return RoundTripTimeMs;
    }

    public void Pause()
    {
        _inactivityDeadlineMs = long.MaxValue;
        Seq.ResetJitter();
    }

    public void Resume(long nowMs)
    {
        if (_opts.UseInactivityCheck && !_inactive)
            _inactivityDeadlineMs = nowMs + _inactivityIntervalMs;
    }

    /// <summary>Forces a score without history (e.g. on re-creation); true if it changed.</summary>
    public bool ResetScore(byte score, long nowMs) => _score.Reset(score, nowMs);

    /// <summary>Earliest time <see cref="OnTimer"/> has work; long.MaxValue when none.</summary>
    public long NextDeadlineMs => Math.Min(_inactivityDeadlineMs, _spatialCheckDeadlineMs);

    public RecvStreamEvents OnTimer(long nowMs)
    {
        var events = RecvStreamEvents.None;
        if (nowMs >= _inactivityDeadlineMs)
        {
            _inactivityDeadlineMs = long.MaxValue;
            _inactive = true;
            if (_score.Reset(0, nowMs))
                events |= RecvStreamEvents.ScoreChanged;
        }
        if (nowMs >= _spatialCheckDeadlineMs)
        {
            _spatialCheckDeadlineMs = nowMs + SpatialLayersActivityCheckIntervalMs;
            bool any = false;
            for (int s = 0; s < _layerActive.Length; s++)
            {
                bool active = _transmission.GetSpatialLayerBitrate(nowMs, s) > 0;
                _layerChanged[s] = active != _layerActive[s];
                _layerActive[s] = active;
                any |= _layerChanged[s];
            }
            if (any)
                events |= RecvStreamEvents.SpatialLayerActivityChanged;
        }
        return events;
    }

    public bool IsSpatialLayerActive(int spatialLayer) =>
        (uint)spatialLayer < (uint)_layerActive.Length && _layerActive[spatialLayer];

    /// <summary>Whether this layer flipped in the last <see cref="OnTimer"/> that reported
    /// <see cref="RecvStreamEvents.SpatialLayerActivityChanged"/>.</summary>
    public bool SpatialLayerActivityChanged(int spatialLayer) =>
        (uint)spatialLayer < (uint)_layerChanged.Length && _layerChanged[spatialLayer];

    private bool MarkActivity(int payloadLength, long nowMs)
    {
        // Padding-only packets (probes) do not prove the stream is alive.
        if (payloadLength <= 0)
            return false;
        bool changed = false;
        if (_inactive)
        {
            _inactive = false;
            changed = _score.Reset(10, nowMs);
        }
        if (_opts.UseInactivityCheck)
            _inactivityDeadlineMs = nowMs + _inactivityIntervalMs;
        return changed;
    }

    private bool UpdateScore(long nowMs)
    {
        uint totalExpected = Seq.Expected;
        uint expected = totalExpected - _expectedPriorScore;
        _expectedPriorScore = totalExpected;

        long totalReceived = Seq.Received;
        uint received = unchecked((uint)(totalReceived - _receivedPriorScore));
        _receivedPriorScore = totalReceived;

        uint repaired = unchecked((uint)(PacketsRepaired - _repairedPriorScore));
        _repairedPriorScore = PacketsRepaired;

        uint retransmitted = unchecked((uint)(PacketsRetransmitted - _retransmittedPriorScore));
        _retransmittedPriorScore = PacketsRetransmitted;

        if (_inactive)
            return false;
        return _score.AddSample(StreamScore.RecvSample(expected, received, repaired, retransmitted, HasRtx), nowMs);
    }
}
