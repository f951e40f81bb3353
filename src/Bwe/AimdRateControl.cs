using System;

namespace Mediasoup.Bwe;

/// <summary>
/// The delay-based rate controller (draft-ietf-rmcat-gcc-02 §5.5): on over-use the estimate
/// drops to <see cref="Beta"/> × the acknowledged rate (the higher of the last half and quarter second); on normal use it grows, multiplicatively
/// (8 %/s) while the link capacity is unknown or far, additively (about one packet per response
/// time) near it; under-use holds it while queues drain.
/// <para>
/// Two guards keep it tied to what the link really carried: it never grows past 1.5 × the
/// acknowledged rate (an application-limited sender cannot run the estimate away), and when the
/// sender was application-limited at the time of an over-use (the caller says so: sending
/// clearly under the target, e.g. a layer below it; and
/// the link delivered what it sent: a transient queue, e.g. a key frame burst, not a full link) it steps down from the estimate, at most once per <see cref="AppLimitedDecreaseIntervalUs"/>,
/// instead of snapping to a rate the link was never asked to carry (the collapse to a fraction of
/// the capacity that a low-rate layer would otherwise cause).
/// </para>
/// </summary>
internal sealed class AimdRateControl
{
    public const double Beta = 0.85;
    public const double DeliveredRatio = 0.9;
    public const long AppLimitedDecreaseIntervalUs = 500_000;
    /// <summary>One decrease takes the estimate at most to this fraction of itself.</summary>
    public const double MaxDecreaseFactor = 0.5;
    private const double MultiplicativeIncreasePerSecond = 0.08;
    private const double MaxAckedMultiplier = 1.5;
    private const long MaxAckedMarginBps = 10_000;
    private const double PacketBits = 1200 * 8;
    private const long MinIncreasePerSecondBps = 4_000;
    private const long DefaultRttUs = 200_000;

    private enum RateState : byte { Hold, Increase, Decrease }

    private readonly LinkCapacityEstimator _link = new();
    private RateState _state = RateState.Hold;
    private long _lastUpdateUs = -1;
    private long _lastDecreaseUs = long.MinValue / 2;
    private long _minBps;
    private long _maxBps;

    public AimdRateControl(long startBps, long minBps, long maxBps)
    {
        _minBps = minBps;
        _maxBps = maxBps;
        EstimateBps = Clamp(startBps);
    }

    public long EstimateBps { get; private set; }

    public long RttUs { get; set; } = DefaultRttUs;

    public LinkCapacityEstimator Link => _link;

    /// <summary>When the link last carried clearly more than its capacity estimate (which it then
    /// forgets), or a very old time: a limit was lifted, worth a probe.</summary>
    public long LinkGrewUs { get; private set; } = long.MinValue / 2;

    /// <summary>Time of the last decrease (µs), or a very old time.</summary>
    public long LastDecreaseUs => _lastDecreaseUs;

    public void SetBounds(long minBps, long maxBps)
    {
        _minBps = minBps;
        _maxBps = maxBps;
        EstimateBps = Clamp(EstimateBps);
    }

    /// <summary>A measured rate (a probe's result) replaces the estimate.</summary>
    public void SetEstimate(long bps, long nowUs)
    {
        EstimateBps = Clamp(bps);
        _lastUpdateUs = nowUs;
    }

    /// <param name="recentAckedBps">The acknowledged rate over the last quarter second or so
    /// (0: unknown): a decrease on a full link takes <see cref="Beta"/> of it when it is above the
    /// half-second rate.</param>
    public long Update(BandwidthUsage usage, long ackedBps, long sentBps, bool appLimited, long nowUs, long recentAckedBps = 0)
    {
        long elapsedUs = _lastUpdateUs < 0 ? 0 : Math.Clamp(nowUs - _lastUpdateUs, 0, 1_000_000);
        _lastUpdateUs = nowUs;
        if (ackedBps > 0 && ackedBps > _link.UpperBound)
        {
            _link.Reset();
            LinkGrewUs = nowUs;
        }

        switch (usage)
        {
            case BandwidthUsage.Overusing:
                Decrease(ackedBps, recentAckedBps, sentBps, appLimited, nowUs);
                break;
            case BandwidthUsage.Underusing:
                _state = RateState.Hold;
                break;
            default:
                if (_state == RateState.Hold || _state == RateState.Decrease)
                    _state = RateState.Increase;
                else
                    Increase(ackedBps, elapsedUs);
                break;
        }
        return EstimateBps;
    }

    private void Decrease(long ackedBps, long recentAckedBps, long sentBps, bool senderLimited, long nowUs)
    {
        long current = EstimateBps;
        bool appLimited = senderLimited && ackedBps > 0 && sentBps > 0 && ackedBps >= DeliveredRatio * sentBps;
        double target;
        if (ackedBps <= 0)
        {
            target = Beta * current;
        }
        else if (appLimited)
        {
            if (nowUs - _lastDecreaseUs < AppLimitedDecreaseIntervalUs)
                return;
            target = Math.Max(Beta * ackedBps, Beta * current);
        }
        else
        {
            // Once per round trip at most, and at most to half the estimate at a time: an acked
            // rate read over a window the feedback hardly covered (a queue flushing at once, its
            // feedback bunched) once read 26 kbit/s on a link just lifted from 400 kbit/s and
            // took a 216 kbit/s estimate to 22 kbit/s in one step (Chromium behind htb).
            // What the full link carries now, when that is more than the half-second window
            // says: the window still holds the rate from before a climb's trial padding, which
            // read 570 kbit/s on an 800 kbit/s link a trial had just filled (Chromium behind
            // htb). Not less: while a shaper's queue drains after a drop, the quarter second
            // read under 100 kbit/s of a 400 kbit/s link and halved the estimate down to 58 k.
            if (nowUs - _lastDecreaseUs < Math.Clamp(RttUs, 10_000, 200_000))
                return;
            long carried = Math.Max(recentAckedBps, ackedBps);
            target = Math.Max(Beta * carried, MaxDecreaseFactor * current);
            _link.OnOveruse(carried);
        }
        if (target < current)
        {
            EstimateBps = Clamp((long)target);
            _lastDecreaseUs = nowUs;
        }
        _state = RateState.Decrease;
    }

    private void Increase(long ackedBps, long elapsedUs)
    {
        long current = EstimateBps;
        double seconds = elapsedUs / 1e6;
        double increase;
        if (_link.HasEstimate && current > _link.LowerBound)
        {
            double responseS = (RttUs + 100_000) / 1e6;
            increase = Math.Max(MinIncreasePerSecondBps, PacketBits / responseS) * seconds;
        }
        else
        {
            increase = Math.Max(current * (Math.Pow(1 + MultiplicativeIncreasePerSecond, seconds) - 1), MinIncreasePerSecondBps * seconds);
        }
        double next = current + increase;
        if (ackedBps > 0)
        {
            double cap = MaxAckedMultiplier * ackedBps + MaxAckedMarginBps;
            if (current >= cap)
                return;
            next = Math.Min(next, cap);
        }
        EstimateBps = Clamp((long)next);
    }

    private long Clamp(long bps)
    {
        if (_maxBps > 0 && bps > _maxBps)
            bps = _maxBps;
        return Math.Max(bps, _minBps);
    }
}
