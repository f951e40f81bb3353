using System;

namespace Mediasoup.Bwe;

/// <summary>
/// Receive-side bandwidth estimation for senders that use REMB instead of transport-wide
/// feedback (draft-alvestrand-rmcat-remb-03 with the GCC draft, draft-ietf-rmcat-gcc-02 §5): the
/// abs-send-time of each arriving packet against its arrival time, grouped into bursts
/// (<see cref="RemoteArrivalGroups"/>), drives a delay trend detector (<see cref="RemoteDelayTrend"/>)
/// whose verdict, with the rate actually arriving, steers an AIMD estimate
/// (<see cref="RemoteRateControl"/>); at a stream's start, the sender's probe clusters
/// (<see cref="RemoteProbeDetector"/>) can set the estimate outright. Sans IO: fed packets and their arrival times; no allocation.
/// </summary>
public sealed class RemoteBitrateEstimator
{
    /// <summary>abs-send-time: 24 bits of 6.18 fixed-point seconds (wraps every 64 s).</summary>
    private const int AbsSendTimeBits = 24;
    private const int AbsSendTimeFractionBits = 18;
    private const uint AbsSendTimeMask = (1u << AbsSendTimeBits) - 1;

    /// <summary>Window of the arriving-rate measurement.</summary>
    public const long RateWindowMs = 500;

    /// <summary>Silence after which the next packet starts a fresh grouping and trend.</summary>
    public const long StreamGapUs = 2_000_000;

    /// <summary>How long after a stream starts (or while there is no estimate) large packets are
    /// read as probes, and how many at most.</summary>
    public const long InitialProbingUs = 2_000_000;
    public const int MaxProbePackets = 15;

    private readonly RemoteArrivalGroups _groups = new();
    private readonly RemoteDelayTrend _trend = new();
    private readonly RemoteRateControl _rate = new();
    private readonly RemoteProbeDetector _probes = new();
    private readonly Rtp.Streams.RateCalculator _incoming = new(RateWindowMs);
    private long _firstArrivalUs = -1;
    private long _lastArrivalUs;
    private uint _lastAbsSendTime;
    private long _sendUnits;
    private int _probePacketsLeft;

    public bool HasEstimate => _rate.HasEstimate;

    /// <summary>The estimate in bits per second (0 before the first).</summary>
    public long Estimate => _rate.HasEstimate ? _rate.Estimate : 0;

    public RemoteBandwidthUsage Usage => _trend.State;

    /// <summary>The rate arriving over the last <see cref="RateWindowMs"/> (bps, 0 until a full window).</summary>
    public long IncomingBitrate(long nowUs) =>
        _firstArrivalUs >= 0 && nowUs - _firstArrivalUs >= RateWindowMs * 1000 ? _incoming.GetRate(nowUs / 1000) : 0;

    /// <summary>One packet: when it arrived (µs, monotonic), its abs-send-time, its size in bytes.</summary>
    public void OnPacket(long arrivalUs, uint absSendTime, int size)
    {
        absSendTime &= AbsSendTimeMask;
        if (_firstArrivalUs < 0 || arrivalUs - _lastArrivalUs > StreamGapUs)
        {
            // A new stream, or one back from a pause: its rate window starts afresh too.
            _firstArrivalUs = arrivalUs;
            _groups.Reset();
            _trend.Reset();
            _probes.Reset();
            _probePacketsLeft = MaxProbePackets;
            _sendUnits = absSendTime;
        }
        else
        {
            // Signed difference in 24 bits: wraps and small reorderings both come out right.
            int delta = (int)((absSendTime - _lastAbsSendTime) << (32 - AbsSendTimeBits)) >> (32 - AbsSendTimeBits);
            _sendUnits += delta;
        }
        _lastAbsSendTime = absSendTime;
        _lastArrivalUs = arrivalUs;
        _incoming.Update(size, arrivalUs / 1000);

        long sendUs = (_sendUnits >> AbsSendTimeFractionBits) * 1_000_000
            + (((_sendUnits & ((1L << AbsSendTimeFractionBits) - 1)) * 1_000_000) >> AbsSendTimeFractionBits);
        if (_probePacketsLeft > 0 && size >= RemoteProbeDetector.MinProbePacketSize
            && (arrivalUs - _firstArrivalUs < InitialProbingUs || !_rate.HasEstimate))
        {
            _probePacketsLeft--;
            long probed = _probes.Add(sendUs, arrivalUs, size);
            if (probed > 0 && (!_rate.HasEstimate || probed > _rate.Estimate))
                _rate.SetEstimate(probed, arrivalUs);
        }
        if (_groups.Add(sendUs, arrivalUs, size, out long sendDeltaUs, out long arrivalDeltaUs, out _))
            _trend.Update(sendDeltaUs, arrivalDeltaUs, arrivalUs);
        _rate.Update(_trend.State, IncomingBitrate(arrivalUs), arrivalUs);
    }
}
