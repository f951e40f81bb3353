using System;

namespace Mediasoup.Bwe;

/// <summary>
/// When a transport tells its senders a REMB (draft-alvestrand-rmcat-remb-03), and with what
/// bitrate. Senders we estimate for get the estimate, capped by the transport's max incoming
/// bitrate, every <see cref="EstimateIntervalMs"/> and at once when it falls by more than
/// <see cref="ImmediateDecreaseFraction"/>. Senders running their own estimator (transport-cc)
/// get just the cap, every <see cref="LimitIntervalMs"/> and at once when it is lowered; when
/// the cap is lifted they get <see cref="UnlimitedRembCount"/> REMBs of 0, which libwebrtc
/// senders read as "no limit". Sans IO: the caller asks on each packet and sends what it is told.
/// </summary>
public sealed class RembSendPolicy
{
    public const long EstimateIntervalMs = 1000;
    public const long LimitIntervalMs = 1500;
    public const double ImmediateDecreaseFraction = 0.03;
    public const int UnlimitedRembCount = 4;

    private long _lastSentMs;
    private ulong _lastSent;
    private bool _sentAny;
    private bool _limitNow;
    private int _unlimitedLeft;

    /// <summary>The cap (bps), 0 for none.</summary>
    public long MaxIncomingBitrate { get; private set; }

    public void SetMaxIncomingBitrate(long bitrate)
    {
        bitrate = Math.Max(bitrate, 0);
        if (bitrate == 0)
        {
            if (MaxIncomingBitrate > 0)
                _unlimitedLeft = UnlimitedRembCount;
        }
        else
        {
            _unlimitedLeft = 0;
            if (MaxIncomingBitrate == 0 || bitrate < MaxIncomingBitrate)
                _limitNow = true;
        }
        MaxIncomingBitrate = bitrate;
    }

    /// <summary>For a sender we estimate for: whether to send a REMB now, and its bitrate.</summary>
    public bool ShouldSendEstimate(long nowMs, long estimate, out ulong bitrate)
    {
        _unlimitedLeft = 0;
        _limitNow = false;
        long value = MaxIncomingBitrate > 0 ? Math.Min(estimate, MaxIncomingBitrate) : estimate;
        bitrate = (ulong)Math.Max(value, 0);
        bool due = !_sentAny || nowMs - _lastSentMs >= EstimateIntervalMs
            || bitrate < _lastSent * (1 - ImmediateDecreaseFraction);
        if (due)
            Record(nowMs, bitrate);
        return due;
    }

    /// <summary>For a sender with its own estimator: whether to send a limiting REMB now, and its bitrate.</summary>
    public bool ShouldSendLimit(long nowMs, out ulong bitrate)
    {
        bitrate = 0;
        if (MaxIncomingBitrate > 0)
        {
            if (!_limitNow && _sentAny && nowMs - _lastSentMs < LimitIntervalMs)
                return false;
            _limitNow = false;
            bitrate = (ulong)MaxIncomingBitrate;
            Record(nowMs, bitrate);
            return true;
        }
        if (_unlimitedLeft == 0)
            return false;
        // The first "no limit" goes at once, the others at the usual interval.
        if (_unlimitedLeft < UnlimitedRembCount && nowMs - _lastSentMs < LimitIntervalMs)
            return false;
        _unlimitedLeft--;
        Record(nowMs, 0);
        return true;
    }

    private void Record(long nowMs, ulong bitrate)
    {
        _sentAny = true;
        _lastSentMs = nowMs;
        _lastSent = bitrate;
    }
}
