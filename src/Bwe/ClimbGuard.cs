using System;

namespace Mediasoup.Bwe;

/// <summary>
/// One adaptive consumer's memory of what the link refused it, sans IO (times in µs). A step
/// up is taken only when the allocation asked for it through <see cref="ConfirmUs"/> of
/// consecutive allocations (an estimate that spikes for a moment moves nothing). A step the
/// link pushed it down from stays out of reach for a backoff (10 s, doubling up to 120 s when a
/// regained step is lost again within 6 s) unless the estimate reaches
/// <see cref="ClearFactor"/> times its cost; the last few lost steps are kept, so being pushed
/// down twice in a row (spatial 2 to 1, then 1 to 0) holds both.
/// <para>
/// While a climb waits for confirmation the transport pads up to the step's rate with headroom,
/// so the link is tried at the rate the step would need before any layer changes (a probe
/// through a shaper's burst allowance can read twice the link). A climb the link refuses
/// meanwhile (<see cref="RefuseClimb"/>: the estimate fell under the padding) backs that step
/// off for a shorter while (2 s, doubling up to 16 s while the same step is refused again), with
/// no layer change seen by the receiver.
/// </para>
/// </summary>
internal sealed class ClimbGuard
{
    public const long ConfirmUs = 700_000;
    public const long InitialBackoffUs = 10_000_000;
    /// <summary>A refused climb was never seen by the receiver (no layer changed): it is tried
    /// again sooner than a lost step.</summary>
    public const long RefusalBackoffUs = 2_000_000;
    /// <summary>The same step refused again doubles its wait, up to this: a link that refuses it
    /// every time is not disturbed by a trial every few seconds.</summary>
    public const long MaxRefusalBackoffUs = 16_000_000;
    public const long MaxBackoffUs = 120_000_000;
    public const long QuickFailureUs = 6_000_000;
    /// <summary>Probes through a shaper with a burst allowance read up to twice the link.</summary>
    public const double ClearFactor = 2.5;
    private const int Slots = 4;

    private readonly long[] _lost = new long[Slots];
    private readonly long[] _lostUntil = new long[Slots];
    private long _backoffUs;
    private long _grantedAtUs = long.MinValue / 2;
    private long _climbSinceUs = long.MinValue;
    private long _pendingBitrate;
    private long _pendingFromAvailable;
    private long _holdUntilUs = long.MinValue;
    private long _lastAskUs;
    private long _untilUs;
    private long _refusedBitrate;
    private long _refusalBackoffUs;
    private long _refusedAtUs = long.MinValue / 2;

    /// <summary>Nothing pending and every backoff long over: the guard may be dropped.</summary>
    public bool IsIdle(long nowUs) => _climbSinceUs == long.MinValue && nowUs >= _untilUs + MaxBackoffUs;

    /// <summary>True once every backoff has ended.</summary>
    public bool BackoffsOver(long nowUs) => nowUs >= _untilUs;

    /// <summary>The allocation wants a step up now (allocations run at least every
    /// <paramref name="intervalUs"/>); true when it has wanted it long enough.</summary>
    /// <param name="stepBitrate">What the step asked for costs (kept for <see cref="RefuseClimb"/>).</param>
    /// <param name="available">The estimate the climb is asked on.</param>
    public bool ConfirmClimb(long nowUs, long intervalUs, long stepBitrate = 0, long available = 0)
    {
        // A step above the one being tried starts a trial of its own: the padding so far tried
        // the link at the smaller step's rate (seen: a trial for 1/2 on a 600 kbit/s link passed,
        // a backoff ended meanwhile and 2/1 was taken untried, then lost within a second).
        if (_climbSinceUs == long.MinValue || nowUs - _lastAskUs > intervalUs * 2
            || stepBitrate > _pendingBitrate + _pendingBitrate / 10)
        {
            _climbSinceUs = nowUs;
            _lastAskUs = nowUs;
            _pendingBitrate = stepBitrate;
            _pendingFromAvailable = available;
            return false;
        }
        _lastAskUs = nowUs;
        if (nowUs - _climbSinceUs < ConfirmUs)
            return false;
        _climbSinceUs = long.MinValue;
        return true;
    }

    /// <summary>The allocation kept or lowered the step: a pending climb starts over.</summary>
    public void CancelClimb() => _climbSinceUs = long.MinValue;

    /// <summary>After a refused climb the estimate stays low for a moment from the trial's own
    /// padding (the rate controller only creeps back): the step the consumer is on is kept for
    /// this long while the estimate still covers most of it.</summary>
    public const long RefusalHoldUs = 1_500_000;

    /// <summary>Whether the step the consumer is on is kept after a refused climb.</summary>
    public bool HoldsCurrent(long nowUs) => nowUs < _holdUntilUs;

    /// <summary>Whether a climb waits for confirmation.</summary>
    public bool ClimbPending => _climbSinceUs != long.MinValue;

    /// <summary>The estimate when the pending climb was first asked for (0 when none).</summary>
    public long PendingFromAvailable => ClimbPending ? _pendingFromAvailable : 0;

    /// <summary>The link refused the pending climb (the estimate fell while it was being tried):
    /// the step backs off for <see cref="RefusalBackoffUs"/>.</summary>
    public void RefuseClimb(long nowUs)
    {
        if (!ClimbPending)
            return;
        _climbSinceUs = long.MinValue;
        _holdUntilUs = nowUs + RefusalHoldUs;
        if (_pendingBitrate <= 0)
            return;
        bool again = _refusedBitrate > 0 && Math.Abs(_refusedBitrate - _pendingBitrate) <= _refusedBitrate / 10
            && nowUs - _refusedAtUs < 2 * MaxRefusalBackoffUs;
        _refusalBackoffUs = again ? Math.Min(_refusalBackoffUs * 2, MaxRefusalBackoffUs) : RefusalBackoffUs;
        _refusedBitrate = _pendingBitrate;
        _refusedAtUs = nowUs;
        Hold(_pendingBitrate, nowUs, _refusalBackoffUs);
    }

    public void OnGranted(long nowUs)
    {
        _grantedAtUs = nowUs;
        _refusedBitrate = 0;
    }

    /// <summary>The link pushed the consumer down from a step costing <paramref name="bitrate"/>.</summary>
    public void OnLost(long bitrate, long nowUs)
    {
        _backoffUs = nowUs - _grantedAtUs < QuickFailureUs ? Math.Min(Math.Max(_backoffUs, InitialBackoffUs) * 2, MaxBackoffUs) : InitialBackoffUs;
        Hold(bitrate, nowUs, _backoffUs);
    }

    private void Hold(long bitrate, long nowUs, long backoffUs)
    {
        long until = nowUs + backoffUs;
        _untilUs = Math.Max(_untilUs, until);
        // The same step again (rates wander a little) renews its slot; else a free or ended
        // slot, else the one that ends first.
        int slot = -1;
        for (int k = 0; k < Slots && slot < 0; k++)
        {
            if (_lost[k] > 0 && Math.Abs(_lost[k] - bitrate) <= _lost[k] / 10)
                slot = k;
        }
        for (int k = 0; k < Slots && slot < 0; k++)
        {
            if (_lost[k] <= 0 || nowUs >= _lostUntil[k])
                slot = k;
        }
        if (slot < 0)
        {
            slot = 0;
            for (int k = 1; k < Slots; k++)
            {
                if (_lostUntil[k] < _lostUntil[slot])
                    slot = k;
            }
        }
        _lost[slot] = bitrate;
        _lostUntil[slot] = until;
    }

    /// <summary>Steps above the current one costing this much or more are out of reach now.</summary>
    public long Ceiling(long available, long nowUs)
    {
        long ceiling = long.MaxValue;
        for (int k = 0; k < Slots; k++)
        {
            long lost = _lost[k];
            if (lost <= 0 || nowUs >= _lostUntil[k] || available >= lost * ClearFactor)
                continue;
            // Measured layer rates wander by some percent: keep the lost step itself out too.
            ceiling = Math.Min(ceiling, lost * 9 / 10);
        }
        return ceiling;
    }
}
