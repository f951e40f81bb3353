using System;

namespace Mediasoup.Bwe;

/// <summary>
/// Additive-increase, multiplicative-decrease control of the receive-side estimate (GCC draft,
/// draft-ietf-rmcat-gcc-02 §5.5). Overuse: down to <see cref="Beta"/> times the rate actually
/// arriving, at most once per <see cref="DecreaseIntervalUs"/> (sooner only when the arriving
/// rate fell under half the estimate), never up; underuse: hold while queues drain; normal:
/// grow, by <see cref="MultiplicativeIncreasePerSecond"/> a second while far from the link's
/// known capacity and by about a packet per response time near it. Growth stops at 1.5 times
/// the arriving rate: the estimate may lead what the sender sends, not run away from it.
/// </summary>
public sealed class RemoteRateControl
{
    public const double Beta = 0.85;
    public const double MultiplicativeIncreasePerSecond = 0.08;
    public const long MinBitrate = 10_000;
    public const long DecreaseIntervalUs = 200_000;

    /// <summary>Sender's reaction time to feedback: an assumed round trip plus the REMB delay.</summary>
    private const double ResponseTimeS = 0.3;
    private const double PacketBits = 1200 * 8;
    private const double MinAdditivePerSecond = 4000;
    private const long MaxIncreaseStepUs = 1_000_000;

    private enum Phase : byte { Hold, Increase, Decrease }

    private Phase _phase = Phase.Hold;
    private long _lastUpdateUs = -1;
    private long _lastDecreaseUs = long.MinValue / 2;

    // Capacity seen at overuse (kbit/s): an exponential mean and a normalised variance.
    private double _capacityKbps = -1;
    private double _capacityVariance = 0.4;

    public bool HasEstimate { get; private set; }

    /// <summary>Bits per second; meaningful once <see cref="HasEstimate"/>.</summary>
    public long Estimate { get; private set; }

    /// <summary>Sets the estimate outright (a sender's probe showed the path carries this much).</summary>
    public void SetEstimate(long bps, long nowUs)
    {
        Estimate = Math.Max(bps, MinBitrate);
        HasEstimate = true;
        _lastUpdateUs = nowUs;
    }

    /// <summary>Feeds the detector's state and the arriving rate (bps, 0 while unknown).</summary>
    public long Update(RemoteBandwidthUsage usage, long incomingBps, long nowUs)
    {
        if (!HasEstimate)
        {
            if (incomingBps <= 0)
                return 0;
            // The first measured rate is where the sender is: start from it.
            Estimate = Math.Max(incomingBps, MinBitrate);
            HasEstimate = true;
            _lastUpdateUs = nowUs;
        }
        switch (usage)
        {
            case RemoteBandwidthUsage.Overusing:
                _phase = Phase.Decrease;
                break;
            case RemoteBandwidthUsage.Underusing:
                _phase = Phase.Hold;
                break;
            default:
                _phase = Phase.Increase;
                break;
        }
        long elapsedUs = Math.Clamp(nowUs - _lastUpdateUs, 0, MaxIncreaseStepUs);
        _lastUpdateUs = nowUs;
        switch (_phase)
        {
            case Phase.Increase:
                Increase(incomingBps, elapsedUs);
                break;
            case Phase.Decrease:
                Decrease(incomingBps, nowUs);
                break;
        }
        return Estimate;
    }

    private void Increase(long incomingBps, long elapsedUs)
    {
        double incomingKbps = incomingBps / 1000.0;
        if (_capacityKbps >= 0 && incomingKbps > _capacityKbps + 3 * CapacityDeviationKbps())
            _capacityKbps = -1; // The link got faster than what we knew: search again.
        double seconds = elapsedUs / 1e6;
        double increase = _capacityKbps >= 0
            ? Math.Max(MinAdditivePerSecond, AdditivePerSecond(Estimate)) * seconds
            : Estimate * (Math.Pow(1 + MultiplicativeIncreasePerSecond, seconds) - 1);
        long next = Estimate + (long)Math.Max(increase, 1000 * seconds);
        if (incomingBps > 0)
        {
            long ceiling = (long)(1.5 * incomingBps) + 10_000;
            if (next > ceiling)
                next = Math.Max(Estimate, ceiling);
        }
        Estimate = next;
    }

    /// <summary>About one packet of the current frame size more per response time.</summary>
    private static double AdditivePerSecond(long estimate)
    {
        double bitsPerFrame = estimate / 30.0;
        double packetsPerFrame = Math.Ceiling(bitsPerFrame / PacketBits);
        double packetBits = bitsPerFrame / Math.Max(packetsPerFrame, 1);
        return packetBits / ResponseTimeS;
    }

    private void Decrease(long incomingBps, long nowUs)
    {
        bool collapsed = incomingBps > 0 && incomingBps < Estimate / 2;
        if (nowUs - _lastDecreaseUs < DecreaseIntervalUs && !collapsed)
            return;
        _lastDecreaseUs = nowUs;
        long measured = incomingBps > 0 ? incomingBps : Estimate;
        long next = (long)(Beta * measured);
        if (next > Estimate)
        {
            // Overuse while the sender was below the estimate: cut from the known capacity, if any.
            next = _capacityKbps >= 0 ? (long)(Beta * _capacityKbps * 1000) : Estimate;
            next = Math.Min(next, Estimate);
        }
        Estimate = Math.Max(next, MinBitrate);
        RecordCapacity(measured / 1000.0);
        _phase = Phase.Hold;
    }

    private void RecordCapacity(double kbps)
    {
        const double alpha = 0.05;
        if (_capacityKbps >= 0 && kbps < _capacityKbps - 3 * CapacityDeviationKbps())
            _capacityKbps = -1;
        _capacityKbps = _capacityKbps < 0 ? kbps : (1 - alpha) * _capacityKbps + alpha * kbps;
        double norm = Math.Max(_capacityKbps, 1.0);
        double error = _capacityKbps - kbps;
        _capacityVariance = Math.Clamp((1 - alpha) * _capacityVariance + alpha * error * error / norm, 0.4, 2.5);
    }

    private double CapacityDeviationKbps() => Math.Sqrt(_capacityVariance * Math.Max(_capacityKbps, 1.0));
}
