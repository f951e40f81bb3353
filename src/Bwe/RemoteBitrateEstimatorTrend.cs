using System;

namespace Mediasoup.Bwe;

/// <summary>
/// The delay-gradient detector of the receive side (GCC draft, draft-ietf-rmcat-gcc-02 §5.3-5.4,
/// with the least-squares trend libwebrtc senders use in place of the Kalman filter): each group
/// delta adds (arrival delta − send delta) to an accumulated queuing delay; the slope of its
/// smoothed value over the last <see cref="WindowSize"/> groups, scaled, is compared with an
/// adaptive threshold. Overuse is declared once it held for <see cref="OveruseTimeMs"/> over at
/// least two deltas with a non-falling trend. Sans IO, fixed arrays.
/// </summary>
public sealed class RemoteDelayTrend
{
    public const int WindowSize = 20;
    public const double SmoothingCoefficient = 0.9;
    public const double TrendGain = 4.0;
    public const double OveruseTimeMs = 10.0;
    public const double InitialThresholdMs = 12.5;
    public const double MinThresholdMs = 6.0;
    public const double MaxThresholdMs = 600.0;

    // Threshold adaptation (GCC draft §5.4): slow to rise, faster to fall; outliers far above
    // the threshold (a one-off spike) do not move it.
    private const double ThresholdGainUp = 0.0087;
    private const double ThresholdGainDown = 0.039;
    private const double OutlierMarginMs = 15.0;
    private const double MaxAdaptStepMs = 100.0;
    private const int MaxDeltasScale = 60;

    private readonly double[] _x = new double[WindowSize];
    private readonly double[] _y = new double[WindowSize];
    private int _count;
    private int _next;
    private long _firstArrivalUs = -1;
    private int _numDeltas;
    private double _accumulatedMs;
    private double _smoothedMs;
    private double _previousTrend;
    private double _timeOverUsingMs = -1;
    private int _overuseCount;
    private long _lastThresholdUpdateUs = -1;

    public RemoteBandwidthUsage State { get; private set; } = RemoteBandwidthUsage.Normal;

    /// <summary>The scaled trend last compared with the threshold (ms).</summary>
    public double ModifiedTrend { get; private set; }

    public double ThresholdMs { get; private set; } = InitialThresholdMs;

    public void Reset()
    {
        _count = _next = _numDeltas = 0;
        _firstArrivalUs = -1;
        _accumulatedMs = _smoothedMs = _previousTrend = ModifiedTrend = 0;
        _timeOverUsingMs = -1;
        _overuseCount = 0;
        _lastThresholdUpdateUs = -1;
        ThresholdMs = InitialThresholdMs;
        State = RemoteBandwidthUsage.Normal;
    }

    /// <summary>One group delta; returns the (possibly unchanged) usage.</summary>
    public RemoteBandwidthUsage Update(long sendDeltaUs, long arrivalDeltaUs, long arrivalUs)
    {
        if (_firstArrivalUs < 0)
            _firstArrivalUs = arrivalUs;
        double sendDeltaMs = sendDeltaUs / 1000.0;
        _numDeltas = Math.Min(_numDeltas + 1, 1000);
        _accumulatedMs += (arrivalDeltaUs - sendDeltaUs) / 1000.0;
        _smoothedMs = SmoothingCoefficient * _smoothedMs + (1 - SmoothingCoefficient) * _accumulatedMs;
        _x[_next] = (arrivalUs - _firstArrivalUs) / 1000.0;
        _y[_next] = _smoothedMs;
        _next = (_next + 1) % WindowSize;
        if (_count < WindowSize)
            _count++;
        double trend = _count == WindowSize ? Slope() : _previousTrend;
        Detect(trend, sendDeltaMs, arrivalUs);
        _previousTrend = trend;
        return State;
    }

    private double Slope()
    {
        double meanX = 0, meanY = 0;
        for (int i = 0; i < _count; i++)
        {
            meanX += _x[i];
            meanY += _y[i];
        }
        meanX /= _count;
        meanY /= _count;
        double num = 0, den = 0;
        for (int i = 0; i < _count; i++)
        {
            double dx = _x[i] - meanX;
            num += dx * (_y[i] - meanY);
            den += dx * dx;
        }
        return den > 0 ? num / den : _previousTrend;
    }

    private void Detect(double trend, double sendDeltaMs, long arrivalUs)
    {
        double modified = Math.Min(_numDeltas, MaxDeltasScale) * trend * TrendGain;
        ModifiedTrend = modified;
        if (modified > ThresholdMs)
        {
            _timeOverUsingMs = _timeOverUsingMs < 0 ? sendDeltaMs / 2 : _timeOverUsingMs + sendDeltaMs;
            _overuseCount++;
            if (_timeOverUsingMs > OveruseTimeMs && _overuseCount > 1 && trend >= _previousTrend)
            {
                _timeOverUsingMs = 0;
                _overuseCount = 0;
                State = RemoteBandwidthUsage.Overusing;
            }
        }
        else
        {
            _timeOverUsingMs = -1;
            _overuseCount = 0;
            State = modified < -ThresholdMs ? RemoteBandwidthUsage.Underusing : RemoteBandwidthUsage.Normal;
        }
        AdaptThreshold(modified, arrivalUs);
    }

    private void AdaptThreshold(double modified, long arrivalUs)
    {
        if (_lastThresholdUpdateUs < 0)
            _lastThresholdUpdateUs = arrivalUs;
        double magnitude = Math.Abs(modified);
        if (magnitude > ThresholdMs + OutlierMarginMs)
        {
            _lastThresholdUpdateUs = arrivalUs;
            return;
        }
        double gain = magnitude < ThresholdMs ? ThresholdGainDown : ThresholdGainUp;
        double stepMs = Math.Min((arrivalUs - _lastThresholdUpdateUs) / 1000.0, MaxAdaptStepMs);
        ThresholdMs = Math.Clamp(ThresholdMs + gain * (magnitude - ThresholdMs) * stepMs, MinThresholdMs, MaxThresholdMs);
        _lastThresholdUpdateUs = arrivalUs;
    }
}
