using System;

namespace Mediasoup.Bwe;

/// <summary>
/// Running estimate of the bottleneck's capacity from the acknowledged rate measured each time
/// the delay detector saw over-use (the link was full then), with a normalized variance so the
/// rate controller knows when it is close to the capacity (additive increase) or far from it
/// (multiplicative increase) (draft-ietf-rmcat-gcc-02 §5.5).
/// </summary>
internal sealed class LinkCapacityEstimator
{
    private const double MinVariance = 0.4;
    private const double MaxVariance = 2.5;

    private double _estimateBps = -1;
    private double _variance = MinVariance;

    public bool HasEstimate => _estimateBps > 0;

    public double EstimateBps => Math.Max(_estimateBps, 0);

    /// <summary>Three deviations above the estimate (bit/s).</summary>
    public double UpperBound => HasEstimate ? _estimateBps + 3 * Deviation : double.PositiveInfinity;

    /// <summary>Three deviations below the estimate, at least 0 (bit/s).</summary>
    public double LowerBound => HasEstimate ? Math.Max(0, _estimateBps - 3 * Deviation) : 0;

    private double Deviation => Math.Sqrt(_variance * _estimateBps);

    public void Reset() => _estimateBps = -1;

    public void OnOveruse(double ackedBps) => Update(ackedBps, 0.05);

    public void OnProbeResult(double probeBps) => Update(probeBps, 0.5);

    private void Update(double sampleBps, double alpha)
    {
        if (sampleBps <= 0)
            return;
        if (!HasEstimate)
            _estimateBps = sampleBps;
        else
            _estimateBps = (1 - alpha) * _estimateBps + alpha * sampleBps;
        double norm = Math.Max(_estimateBps, 1);
        double error = _estimateBps - sampleBps;
        _variance = Math.Clamp((1 - alpha) * _variance + alpha * error * error / norm, MinVariance, MaxVariance);
    }
}
