using System;

namespace Mediasoup.Bwe;

/// <summary>
/// Delay-gradient over-use detector: accumulates the inter-group delay variation, smooths it,
/// and fits a least-squares line through the last <see cref="WindowSize"/> points (arrival time,
/// smoothed accumulated delay); the slope, scaled by the number of deltas seen, is compared with
/// an adaptive threshold (draft-ietf-rmcat-gcc-02 §5.4 and §5.5: γ follows |m| slowly upward and
/// faster downward, so a threshold stays meaningful beside concurrent TCP-like flows).
/// </summary>
internal sealed class TrendlineEstimator
{
    public const int WindowSize = 20;
    private const double Smoothing = 0.9;
    private const double ThresholdGain = 4.0;
    private const int MaxDeltaCount = 60;
    private const double OverusingTimeThresholdMs = 10;
    private const double InitialThresholdMs = 12.5;
    private const double ThresholdUpGain = 0.0087;
    private const double ThresholdDownGain = 0.039;
    private const double MaxThresholdAdaptOffsetMs = 15;
    private const double MinThresholdMs = 6;
    private const double MaxThresholdMs = 600;
    private const long MaxThresholdTimeStepUs = 100_000;

    private readonly double[] _x = new double[WindowSize];
    private readonly double[] _y = new double[WindowSize];
    private int _points;
    private int _head;

    private long _firstArrivalUs = -1;
    private double _accumulatedDelayMs;
    private double _smoothedDelayMs;
    private int _deltaCount;
    private double _trend;
    private double _previousTrend;
    private double _timeOverusingMs = -1;
    private int _overuseCount;
    private long _lastThresholdUpdateUs = -1;

    public BandwidthUsage State { get; private set; }

    /// <summary>Current adaptive threshold γ (ms).</summary>
    public double ThresholdMs { get; private set; } = InitialThresholdMs;

    /// <summary>Last slope of the fitted line (ms of delay per ms).</summary>
    public double Trend => _trend;

    /// <summary>Slope scaled as it is compared with the threshold.</summary>
    public double ModifiedTrend { get; private set; }

    public void Reset()
    {
        _points = 0;
        _head = 0;
        _firstArrivalUs = -1;
        _accumulatedDelayMs = 0;
        _smoothedDelayMs = 0;
        _deltaCount = 0;
        _trend = 0;
        _previousTrend = 0;
        _timeOverusingMs = -1;
        _overuseCount = 0;
        State = BandwidthUsage.Normal;
    }

    public void Update(in InterArrivalDelta delta)
    {
        double arrivalDeltaMs = delta.ArrivalDeltaUs / 1000.0;
        double sendDeltaMs = delta.SendDeltaUs / 1000.0;
        _deltaCount = Math.Min(_deltaCount + 1, 1000);
        if (_firstArrivalUs < 0)
            _firstArrivalUs = delta.ArrivalUs;

        _accumulatedDelayMs += arrivalDeltaMs - sendDeltaMs;
        _smoothedDelayMs = Smoothing * _smoothedDelayMs + (1 - Smoothing) * _accumulatedDelayMs;

        _x[_head] = (delta.ArrivalUs - _firstArrivalUs) / 1000.0;
        _y[_head] = _smoothedDelayMs;
        _head = (_head + 1) % WindowSize;
        if (_points < WindowSize)
            _points++;

        if (_points == WindowSize && TrySlope(out double slope))
            _trend = slope;
        Detect(sendDeltaMs, delta.ArrivalUs);
    }

    private bool TrySlope(out double slope)
    {
        double sumX = 0, sumY = 0;
        for (int i = 0; i < _points; i++)
        {
            sumX += _x[i];
            sumY += _y[i];
        }
        double meanX = sumX / _points, meanY = sumY / _points;
        double num = 0, den = 0;
        for (int i = 0; i < _points; i++)
        {
            double dx = _x[i] - meanX;
            num += dx * (_y[i] - meanY);
            den += dx * dx;
        }
        slope = den > 0 ? num / den : 0;
        return den > 0;
    }

    private void Detect(double sendDeltaMs, long nowUs)
    {
        if (_deltaCount < 2)
        {
            State = BandwidthUsage.Normal;
            return;
        }
        double modified = Math.Min(_deltaCount, MaxDeltaCount) * _trend * ThresholdGain;
        ModifiedTrend = modified;
        if (modified > ThresholdMs)
        {
            _timeOverusingMs = _timeOverusingMs < 0 ? sendDeltaMs / 2 : _timeOverusingMs + sendDeltaMs;
            _overuseCount++;
            if (_timeOverusingMs > OverusingTimeThresholdMs && _overuseCount > 1 && _trend >= _previousTrend)
            {
                _timeOverusingMs = 0;
                _overuseCount = 0;
                State = BandwidthUsage.Overusing;
            }
        }
        else if (modified < -ThresholdMs)
        {
            _timeOverusingMs = -1;
            _overuseCount = 0;
            State = BandwidthUsage.Underusing;
        }
        else
        {
            _timeOverusingMs = -1;
            _overuseCount = 0;
            State = BandwidthUsage.Normal;
        }
        _previousTrend = _trend;
        UpdateThreshold(modified, nowUs);
    }

    private void UpdateThreshold(double modified, long nowUs)
    {
        if (_lastThresholdUpdateUs < 0)
            _lastThresholdUpdateUs = nowUs;
        double magnitude = Math.Abs(modified);
        // A spike far above the threshold (a delay jump, not a trend) does not drag it along.
        if (magnitude > ThresholdMs + MaxThresholdAdaptOffsetMs)
        {
            _lastThresholdUpdateUs = nowUs;
            return;
        }
        double k = magnitude < ThresholdMs ? ThresholdDownGain : ThresholdUpGain;
        long stepUs = Math.Clamp(nowUs - _lastThresholdUpdateUs, 0, MaxThresholdTimeStepUs);
        ThresholdMs = Math.Clamp(ThresholdMs + k * (magnitude - ThresholdMs) * (stepUs / 1000.0), MinThresholdMs, MaxThresholdMs);
        _lastThresholdUpdateUs = nowUs;
    }
}
