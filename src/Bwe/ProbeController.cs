using System;

namespace Mediasoup.Bwe;

/// <summary>
/// Decides when to probe and at what rate:
/// <list type="bullet">
/// <item>at start, two clusters at <see cref="InitialFirstMultiplier"/> and <see cref="InitialSecondMultiplier"/> × the start rate;</item>
/// <item>while the (effective) desired rate is above the estimate and the link is neither
/// over-used nor lossy: a cluster at min(2 × estimate, 1.2 × desired); a result of at least
/// 70 % of its target allows the next one at once (exponential steps), a weaker one backs off
/// (1 s doubling up to <see cref="MaxIntervalUs"/>); a rise of the desired rate, or the link
/// carrying more than its known capacity (<see cref="OnLinkGrew"/>), retries at once;
/// none within <see cref="AfterDecreaseUs"/> of a delay-based decrease.
/// This also covers the application-limited case where the next layer does not fit: the
/// estimate cannot grow from the traffic then, only from probes.</item>
/// </list>
/// It never floods a receiver that does not answer: no probe unless feedback came within
/// <see cref="FeedbackTimeoutUs"/> (before any feedback: only the initial clusters, and only
/// during the first <see cref="FeedbackTimeoutUs"/>), and at most <see cref="MaxBytesWithoutFeedback"/>
/// bytes of probes between two feedbacks.
/// </summary>
internal sealed class ProbeController
{
    public const double InitialFirstMultiplier = 2;
    public const double InitialSecondMultiplier = 3;
    public const long MinIntervalUs = 1_000_000;
    public const long MaxIntervalUs = 3_000_000;
    public const long ResultTimeoutUs = 1_000_000;
    public const long FeedbackTimeoutUs = 2_000_000;
    /// <summary>No probe this long after a delay-based decrease: the link just said it is full.</summary>
    public const long AfterDecreaseUs = 2_000_000;
    public const long MaxBytesWithoutFeedback = 200_000;
    public const int MinPackets = 5;
    public const long MinDurationUs = 15_000;
    public const int MaxClusterBytes = 64_000;
    /// <summary>A cluster carries at least this much whatever its rate: a few hundred bytes at a
    /// low rate (648 at 346 kbit/s) read a third of an idle link, the receiver's own timing
    /// jitter spreading so few packets (Chromium on a loaded machine).</summary>
    public const int MinClusterBytes = 2_000;
    private const double DesiredMargin = 1.1;
    private const double DesiredOvershoot = 1.2;
    private const double SuccessRatio = 0.7;
    private const int QueueSize = 4;

    private readonly ProbeCluster[] _queue = new ProbeCluster[QueueSize];
    private int _queueHead;
    private int _queueCount;
    private int _nextId;

    private long _startedUs = -1;
    private bool _initialDone;
    private long _lastFeedbackUs = -1;
    private long _bytesSinceFeedback;
    private long _intervalUs = MinIntervalUs;
    private long _lastProbeUs = long.MinValue / 2;
    private long _lastDesiredBps;

    // The cluster whose result is awaited.
    private int _waitingId = -1;
    private long _waitingTargetBps;
    private long _waitingSinceUs;

    /// <summary>Probe bytes requested so far.</summary>
    public long TotalProbeBytes { get; private set; }

    /// <summary>Target of the last cluster created while its result is awaited, else 0.</summary>
    public long ActiveTargetBps => _waitingId >= 0 ? _waitingTargetBps : 0;

    public int PendingCount => _queueCount;

    /// <summary>Whether probing is suspended for lack of feedback.</summary>
    public bool Suspended { get; private set; }

    public void OnFeedback(long nowUs)
    {
        _lastFeedbackUs = nowUs;
        _bytesSinceFeedback = 0;
    }

    public bool TryTake(out ProbeCluster cluster)
    {
        if (_queueCount == 0)
        {
            cluster = default;
            return false;
        }
        cluster = _queue[_queueHead];
        _queueHead = (_queueHead + 1) % QueueSize;
        _queueCount--;
        return true;
    }

    /// <summary>A cluster's measured rate arrived.</summary>
    public void OnProbeResult(int clusterId, long bps, long nowUs)
    {
        if (clusterId != _waitingId)
            return;
        _waitingId = -1;
        if (bps >= SuccessRatio * _waitingTargetBps)
        {
            _intervalUs = MinIntervalUs;
            _lastProbeUs = long.MinValue / 2; // next step at once if still wanted
        }
        else
        {
            Backoff(nowUs);
        }
    }

    /// <summary>The link just carried more than its known capacity (a limit lifted): the next
    /// probe, if one is wanted, goes without waiting out a backoff.</summary>
    public void OnLinkGrew()
    {
        _intervalUs = MinIntervalUs;
        _lastProbeUs = long.MinValue / 2;
    }

    /// <param name="registered">Called for every cluster created, so the bitrate estimator knows it.</param>
    public void Process(long nowUs, long startBps, long availableBps, long desiredBps, long maxBps, bool linkHealthy, long lastDecreaseUs, ProbeBitrateEstimator registered)
    {
        if (_startedUs < 0)
            _startedUs = nowUs;
        Suspended = _lastFeedbackUs < 0
            ? nowUs - _startedUs >= FeedbackTimeoutUs
            : nowUs - _lastFeedbackUs >= FeedbackTimeoutUs || _bytesSinceFeedback >= MaxBytesWithoutFeedback;
        if (Suspended)
        {
            _queueCount = 0;
            _waitingId = -1;
            return;
        }

        if (!_initialDone)
        {
            _initialDone = true;
            Create(Cap((long)(startBps * InitialFirstMultiplier), maxBps), nowUs, registered);
            Create(Cap((long)(startBps * InitialSecondMultiplier), maxBps), nowUs, registered);
            return;
        }

        if (_waitingId >= 0)
        {
            if (nowUs - _waitingSinceUs < ResultTimeoutUs)
                return;
            _waitingId = -1;
            Backoff(nowUs);
        }

        long wanted = maxBps > 0 ? Math.Min(desiredBps, maxBps) : desiredBps;
        if (wanted > _lastDesiredBps * DesiredMargin && _lastDesiredBps > 0)
        {
            // The consumers want markedly more than at the last decision: retry now.
            _intervalUs = MinIntervalUs;
            _lastProbeUs = long.MinValue / 2;
        }
        _lastDesiredBps = wanted;
        if (!linkHealthy || lastDecreaseUs > nowUs - AfterDecreaseUs || wanted <= availableBps * DesiredMargin || nowUs - _lastProbeUs < _intervalUs)
            return;
        long target = Math.Min(2 * availableBps, (long)(wanted * DesiredOvershoot));
        target = Cap(target, maxBps);
        if (target <= availableBps * DesiredMargin)
            return;
        Create(target, nowUs, registered);
    }

    private static long Cap(long bps, long maxBps) => maxBps > 0 ? Math.Min(bps, (long)(maxBps * DesiredOvershoot)) : bps;

    private void Backoff(long nowUs)
    {
        _intervalUs = Math.Min(_intervalUs * 2, MaxIntervalUs);
        _lastProbeUs = nowUs;
    }

    private void Create(long targetBps, long nowUs, ProbeBitrateEstimator registered)
    {
        if (targetBps <= 0 || _queueCount == QueueSize)
            return;
        int minBytes = (int)Math.Clamp(targetBps * MinDurationUs / 8_000_000, MinClusterBytes, MaxClusterBytes);
        var cluster = new ProbeCluster(_nextId, targetBps, MinPackets, minBytes);
        _nextId = (_nextId + 1) & 0x7FFFFFFF;
        _queue[(_queueHead + _queueCount) % QueueSize] = cluster;
        _queueCount++;
        registered.Register(cluster);
        _waitingId = cluster.Id;
        _waitingTargetBps = targetBps;
        _waitingSinceUs = nowUs;
        _lastProbeUs = nowUs;
        TotalProbeBytes += minBytes;
        _bytesSinceFeedback += minBytes;
    }
}
