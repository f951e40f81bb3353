using System;

namespace Mediasoup.Bwe;

/// <summary>
/// Loss-based bound on the target (draft-ietf-rmcat-gcc-02 §6): over <see cref="HighLoss"/> the
/// bound drops to target × (1 − loss/2), at most once per 300 ms + RTT; between
/// <see cref="LowLoss"/> and <see cref="HighLoss"/> it holds: it is set to the target when the
/// band is entered and then only creeps up (<see cref="HoldCreepPerSecond"/>), so a delay-based
/// decrease meanwhile does not ratchet it down and a link with inherent random loss is not frozen
/// forever; below, it rises 8 %/s, or at once to what a probe measured, and lifts off once it is
/// above the delay-based estimate.
/// Loss comes per packet from transport-cc feedback, aggregated over at least
/// <see cref="MinPacketsPerSample"/> packets (or one second with at least 20), or as the fraction
/// lost of receiver reports.
/// </summary>
internal sealed class LossBasedController
{
    public const double LowLoss = 0.02;
    public const double HighLoss = 0.10;
    public const int MinPacketsPerSample = 100;
    public const double HoldCreepPerSecond = 0.03;
    private const int MinPacketsPerSecond = 20;
    private long _sampleStartUs = -1;
    private const long MinDecreaseIntervalUs = 300_000;
    private const double IncreasePerSecond = 0.08;

    private int _expected;
    private int _lost;
    private long _lastDecreaseUs = long.MinValue / 2;
    private long _lastSampleUs = -1;

    /// <summary>Upper bound on the target (bit/s); <see cref="long.MaxValue"/> when loss does not limit it.</summary>
    public long BoundBps { get; private set; } = long.MaxValue;

    /// <summary>Last loss fraction sampled (0..1).</summary>
    public double LastLoss { get; private set; }

    public void OnPacketResults(int received, int lost, long targetBps, long delayBasedBps, long rttUs, long nowUs)
    {
        if (_sampleStartUs < 0)
            _sampleStartUs = nowUs;
        _expected += received + lost;
        _lost += lost;
        if (_expected < MinPacketsPerSample && (_expected < MinPacketsPerSecond || nowUs - _sampleStartUs < 1_000_000))
            return;
        _sampleStartUs = nowUs;
        double fraction = (double)_lost / _expected;
        _expected = 0;
        _lost = 0;
        OnLoss(fraction, targetBps, delayBasedBps, rttUs, nowUs);
    }

    private long Grow(double perSecond, long elapsedUs, long liftOffBps)
    {
        double grown = BoundBps * Math.Pow(1 + perSecond, elapsedUs / 1e6) + 1000 * (elapsedUs / 1e6);
        return grown >= liftOffBps ? long.MaxValue : (long)grown;
    }

    public void OnLoss(double fraction, long targetBps, long delayBasedBps, long rttUs, long nowUs)
    {
        LastLoss = fraction;
        long elapsedUs = _lastSampleUs < 0 ? 0 : Math.Clamp(nowUs - _lastSampleUs, 0, 1_000_000);
        _lastSampleUs = nowUs;
        if (fraction > HighLoss)
        {
            if (nowUs - _lastDecreaseUs >= MinDecreaseIntervalUs + rttUs)
            {
                long from = Math.Min(BoundBps, targetBps);
                BoundBps = (long)(from * (1 - fraction / 2));
                _lastDecreaseUs = nowUs;
            }
        }
        else if (fraction >= LowLoss)
        {
            BoundBps = BoundBps == long.MaxValue ? targetBps : Grow(HoldCreepPerSecond, elapsedUs, long.MaxValue);
        }
        else if (BoundBps != long.MaxValue)
        {
            BoundBps = Grow(IncreasePerSecond, elapsedUs, delayBasedBps);
        }
    }

    /// <summary>A probe measured <paramref name="probeBps"/> while loss is low: the link carries
    /// that now, so the bound rises to it at once (lifting off once it reaches the delay-based
    /// estimate) instead of creeping 8 %/s from the trough of the loss (seen: 15 s to climb from
    /// 260 k back to an 800 kbit/s link while every probe read 500-800 k).</summary>
    public void OnProbeResult(long probeBps, long delayBasedBps)
    {
        if (BoundBps == long.MaxValue || LastLoss >= LowLoss || probeBps <= BoundBps)
            return;
        BoundBps = probeBps >= delayBasedBps ? long.MaxValue : probeBps;
    }
}
