using System;

namespace Mediasoup.Bwe;

/// <summary>
/// Application-limited region: the sender uses much less than the target (consumers want less,
/// or the next layer does not fit). A budget fills at <see cref="UsageRatio"/> × target and
/// drains with every byte sent; ALR starts when it is over <see cref="StartLevel"/> full and
/// ends when it falls under <see cref="StopLevel"/>.
/// </summary>
internal sealed class AlrDetector
{
    public const double UsageRatio = 0.65;
    public const double StartLevel = 0.80;
    public const double StopLevel = 0.50;
    public const long WindowUs = 500_000;

    private long _targetBps;
    private double _budgetBits;
    private long _lastUs = -1;

    public bool InAlr { get; private set; }

    /// <summary>When the current ALR started (µs), -1 outside ALR.</summary>
    public long AlrStartUs { get; private set; } = -1;

    public void SetTarget(long targetBps) => _targetBps = targetBps;

    public void OnBytesSent(int bytes, long nowUs)
    {
        Advance(nowUs);
        _budgetBits -= bytes * 8.0;
        Evaluate(nowUs);
    }

    public void Process(long nowUs)
    {
        Advance(nowUs);
        Evaluate(nowUs);
    }

    private double MaxBudget => _targetBps * UsageRatio * WindowUs / 1e6;

    private void Advance(long nowUs)
    {
        if (_lastUs >= 0 && nowUs > _lastUs)
            _budgetBits += _targetBps * UsageRatio * Math.Min(nowUs - _lastUs, WindowUs) / 1e6;
        if (nowUs > _lastUs)
            _lastUs = nowUs;
        double max = MaxBudget;
        _budgetBits = Math.Clamp(_budgetBits, -max, max);
    }

    private void Evaluate(long nowUs)
    {
        double max = MaxBudget;
        if (max <= 0)
            return;
        double level = _budgetBits / max;
        if (!InAlr && level > StartLevel)
        {
            InAlr = true;
            AlrStartUs = nowUs;
        }
        else if (InAlr && level < StopLevel)
        {
            InAlr = false;
            AlrStartUs = -1;
        }
    }
}
