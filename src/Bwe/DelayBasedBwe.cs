using System;

namespace Mediasoup.Bwe;

/// <summary>
/// The delay-based estimate (draft-ietf-rmcat-gcc-02 §5): packet groups → inter-group delay
/// variation → trendline over-use detector → AIMD rate controller, once per feedback.
/// </summary>
internal sealed class DelayBasedBwe
{
    private readonly InterArrival _interArrival = new();
    private readonly TrendlineEstimator _trendline = new();
    private readonly AimdRateControl _rate;

    public DelayBasedBwe(long startBps, long minBps, long maxBps)
    {
        _rate = new AimdRateControl(startBps, minBps, maxBps);
    }

    public long EstimateBps => _rate.EstimateBps;

    public BandwidthUsage State => _trendline.State;

    public TrendlineEstimator Trendline => _trendline;

    public AimdRateControl Rate => _rate;

    public void SetBounds(long minBps, long maxBps) => _rate.SetBounds(minBps, maxBps);

    /// <summary>One received packet of a feedback, in send order.</summary>
    public void OnPacket(in PacketResult packet)
    {
        if (_interArrival.Add(packet.SendUs, packet.ArrivalUs, packet.Size, out InterArrivalDelta delta))
            _trendline.Update(delta);
    }

    /// <summary>After all packets of a feedback: runs the rate controller on the detector's state.</summary>
    public long Update(long ackedBps, long sentBps, bool appLimited, long nowUs, long recentAckedBps = 0) => _rate.Update(_trendline.State, ackedBps, sentBps, appLimited, nowUs, recentAckedBps);

    /// <summary>A probe measured more than the estimate: take it (and let the link estimate learn it).</summary>
    public void OnProbeResult(long probeBps, long nowUs)
    {
        if (probeBps <= _rate.EstimateBps)
            return;
        _rate.SetEstimate(probeBps, nowUs);
        _rate.Link.OnProbeResult(probeBps);
    }

    public void SetRtt(long rttUs) => _rate.RttUs = Math.Clamp(rttUs, 1_000, 2_000_000);
}
