using System;
using Mediasoup.Rtcp;

namespace Mediasoup.Bwe;

/// <summary>
/// Send-side bandwidth estimation of one transport, sans IO (draft-ietf-rmcat-gcc-02 with
/// transport-wide feedback): the transport reports every packet it sends with its transport-wide
/// sequence number, hands in transport-cc feedback, REMB and receiver reports, tells what its
/// consumers could use (<see cref="SetDesiredBitrate"/>), runs <see cref="Process"/> on a timer,
/// sends the probe clusters it takes, and allocates <see cref="AvailableBitrate"/>.
/// <para>
/// Target = min(delay-based, loss-based, REMB) within [min, max]. With transport-cc feedback the
/// delay-based estimate leads; a receiver that only sends REMB gets the REMB value; RR loss is
/// used only when no transport-cc feedback came lately. All times are the loop's monotonic clock
/// in µs; nothing allocates after construction.
/// </para>
/// </summary>
internal sealed class SendSideBwe
{
    /// <summary>The target never goes below this, whatever the bounds say.</summary>
    public const long AbsoluteMinBps = 10_000;
    /// <summary>RR loss is ignored while transport-cc feedback came within this.</summary>
    public const long FeedbackFreshUs = 5_000_000;
    /// <summary>The effective desired rate follows rises at once and falls this much per second.</summary>
    public const double DesiredDecayPerSecond = 0.10;
    public const long ProcessIntervalUs = 25_000;
    /// <summary>Sending under this fraction of the target (or in ALR) makes an over-use application-limited: layers are coarse, the sender rarely fills the target.</summary>
    public const double AppLimitedRatio = 0.9;

    private readonly SendHistory _history;
    private readonly FeedbackAdapter _adapter;
    private readonly DelayBasedBwe _delay;
    private readonly AcknowledgedBitrateEstimator _acked = new();
    private readonly BitrateWindow _sent = new();
    private readonly LossBasedController _loss = new();
    private readonly AlrDetector _alr = new();
    private readonly ProbeController _probes = new();
    private readonly ProbeBitrateEstimator _probeEstimator = new();

    private readonly long _startBps;
    private long _minBps;
    private long _maxBps;
    private long _desiredBps;
    private double _effectiveDesiredBps;
    private long _lastDesiredUs = -1;
    private long _rembBps;
    private bool _hasRemb;
    private bool _hasFeedback;
    private long _lastFeedbackUs = -1;
    private long _rttUs = -1;
    private bool _active;

    public SendSideBwe(long startBps, long minBps, long maxBps, int historyCapacity = SendHistory.DefaultCapacity)
    {
        _minBps = Math.Max(minBps, AbsoluteMinBps);
        _maxBps = Math.Max(maxBps, 0);
        _startBps = Math.Max(startBps, _minBps);
        if (_maxBps > 0)
            _startBps = Math.Min(_startBps, _maxBps);
        _history = new SendHistory(historyCapacity);
        _adapter = new FeedbackAdapter(_history);
        _delay = new DelayBasedBwe(_startBps, _minBps, _maxBps);
        AvailableBitrate = _startBps;
        _alr.SetTarget(AvailableBitrate);
    }

    /// <summary>The target (bit/s): what allocation may spend.</summary>
    public long AvailableBitrate { get; private set; }

    public BweTrace Trace => new(
        _desiredBps,
        (long)_effectiveDesiredBps,
        _minBps,
        _maxBps,
        _startBps,
        _probes.ActiveTargetBps,
        AvailableBitrate);

    /// <summary>Delay detector state after the last feedback.</summary>
    public BandwidthUsage DelayState => _delay.State;

    public long DelayBasedBitrate => _delay.EstimateBps;

    /// <summary>Loss-based bound (<see cref="long.MaxValue"/> when loss does not limit).</summary>
    public long LossBasedBound => _loss.BoundBps;

    public long AcknowledgedBitrate => _acked.BitrateBps;

    /// <summary>Loss fraction of the last loss sample.</summary>
    public double LastLoss => _loss.LastLoss;

    /// <summary>Media send rate over the last 500 ms (probes excluded).</summary>
    public long SendBitrate => _sent.BitrateBps;

    public bool InAlr => _alr.InAlr;

    /// <summary>The last probe cluster that gave a result: its id, the rate (bit/s), when (µs); id -1 before any.</summary>
    public (int ClusterId, long Bps, long AtUs) LastProbeResult { get; private set; } = (-1, 0, 0);

    /// <summary>Whether probing is suspended because the receiver stopped answering.</summary>
    public bool ProbingSuspended => _probes.Suspended;

    /// <summary>Bytes of probe clusters created so far (their minimum sizes).</summary>
    public long ProbeBytesRequested => _probes.TotalProbeBytes;

    /// <summary>Statuses of the last feedback that matched nothing sent (garbage, too old, another sender).</summary>
    public int LastUnknownStatuses => _adapter.Unknown;

    public void SetBounds(long minBps, long maxBps)
    {
        _minBps = Math.Max(minBps, AbsoluteMinBps);
        _maxBps = Math.Max(maxBps, 0);
        if (_maxBps > 0 && _maxBps < _minBps)
            _maxBps = _minBps;
        _delay.SetBounds(_minBps, _maxBps);
        UpdateTarget();
    }

    public void OnPacketSent(ushort transportSeq, int sizeBytes, long sendUs, int probeClusterId)
    {
        _active = true;
        _history.Add(transportSeq, sizeBytes, sendUs, probeClusterId);
        if (probeClusterId < 0)
        {
            _alr.OnBytesSent(sizeBytes, sendUs);
            _sent.Add(sendUs, sizeBytes);
        }
    }

    public void OnTransportFeedback(in TransportCcFeedback feedback, long nowUs)
    {
        int count = _adapter.Process(feedback);
        if (_adapter.NewlyReceived == 0 && _adapter.NewlyLost == 0)
            return;
        _hasFeedback = true;
        _lastFeedbackUs = nowUs;
        _probes.OnFeedback(nowUs);

        ReadOnlySpan<PacketResult> results = _adapter.Results.Slice(0, count);
        long bestProbeBps = 0;
        int bestProbeId = -1;
        for (int i = 0; i < results.Length; i++)
        {
            ref readonly PacketResult r = ref results[i];
            if (!r.Received)
                continue;
            _delay.OnPacket(r);
            if (r.ProbeClusterId >= 0)
            {
                long probeBps = _probeEstimator.OnPacket(r);
                if (probeBps > 0)
                {
                    bestProbeBps = probeBps;
                    bestProbeId = r.ProbeClusterId;
                }
            }
        }
        long ackedBps = _acked.Update(results);

        // Without receiver reports, feedback timing bounds the RTT from above (it includes the feedback interval).
        if (_adapter.LatestReceivedSendUs >= 0 && _rttUs < 0)
            _delay.SetRtt(Math.Max(nowUs - _adapter.LatestReceivedSendUs, 10_000));

        long sentBps = _sent.Update();
        bool appLimited = _alr.InAlr || sentBps < AppLimitedRatio * AvailableBitrate;
        long grewUs = _delay.Rate.LinkGrewUs;
        _delay.Update(ackedBps, sentBps, appLimited, nowUs, _acked.RecentBitrateBps);
        if (_delay.Rate.LinkGrewUs != grewUs)
            _probes.OnLinkGrew();
        if (bestProbeBps > 0)
        {
            if (_delay.State != BandwidthUsage.Overusing)
            {
                _delay.OnProbeResult(bestProbeBps, nowUs);
                _loss.OnProbeResult(bestProbeBps, _delay.EstimateBps);
            }
            _probes.OnProbeResult(bestProbeId, bestProbeBps, nowUs);
            LastProbeResult = (bestProbeId, bestProbeBps, nowUs);
        }
        _loss.OnPacketResults(_adapter.NewlyReceived, _adapter.NewlyLost, AvailableBitrate, _delay.EstimateBps, RttOrDefault, nowUs);
        UpdateTarget();
    }

    public void OnRemb(long bitrateBps, long nowUs)
    {
        if (bitrateBps <= 0)
            return;
        _rembBps = bitrateBps;
        _hasRemb = true;
        UpdateTarget();
    }

    public void OnReceiverReport(byte fractionLost, long rttUs, long nowUs)
    {
        if (rttUs > 0)
        {
            _rttUs = _rttUs < 0 ? rttUs : (7 * _rttUs + rttUs) / 8;
            _delay.SetRtt(_rttUs);
        }
        if (!_hasFeedback || nowUs - _lastFeedbackUs > FeedbackFreshUs)
        {
            _loss.OnLoss(fractionLost / 256.0, AvailableBitrate, _hasFeedback ? _delay.EstimateBps : long.MaxValue, RttOrDefault, nowUs);
            UpdateTarget();
        }
    }

    public void SetDesiredBitrate(long desiredBps, long nowUs)
    {
        DecayDesired(nowUs);
        _desiredBps = Math.Max(desiredBps, 0);
        if (_desiredBps > _effectiveDesiredBps)
            _effectiveDesiredBps = _desiredBps;
    }

    /// <summary>Runs the timers (ALR, probing); returns when it wants to run next (µs).</summary>
    public long Process(long nowUs)
    {
        DecayDesired(nowUs);
        _alr.Process(nowUs);
        if (_active)
        {
            bool healthy = _delay.State != BandwidthUsage.Overusing && _loss.LastLoss < LossBasedController.LowLoss;
            _probes.Process(nowUs, _startBps, AvailableBitrate, (long)_effectiveDesiredBps, _maxBps, healthy, _delay.Rate.LastDecreaseUs, _probeEstimator);
        }
        return _probes.PendingCount > 0 ? nowUs : nowUs + ProcessIntervalUs;
    }

    public bool TryTakeProbe(out ProbeCluster cluster) => _probes.TryTake(out cluster);

    private long RttOrDefault => _rttUs > 0 ? _rttUs : 100_000;

    private void DecayDesired(long nowUs)
    {
        if (_lastDesiredUs >= 0 && nowUs > _lastDesiredUs && _effectiveDesiredBps > _desiredBps)
        {
            double decayed = _effectiveDesiredBps * Math.Pow(1 - DesiredDecayPerSecond, (nowUs - _lastDesiredUs) / 1e6);
            _effectiveDesiredBps = Math.Max(decayed, _desiredBps);
        }
        if (nowUs > _lastDesiredUs)
            _lastDesiredUs = nowUs;
    }

    private void UpdateTarget()
    {
        long target = long.MaxValue;
        if (_hasFeedback)
            target = _delay.EstimateBps;
        target = Math.Min(target, _loss.BoundBps);
        if (_hasRemb)
            target = Math.Min(target, _rembBps);
        if (target == long.MaxValue)
            target = _startBps;
        if (_maxBps > 0)
            target = Math.Min(target, _maxBps);
        target = Math.Max(target, _minBps);
        AvailableBitrate = target;
        _alr.SetTarget(target);
    }
}
