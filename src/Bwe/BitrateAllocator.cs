using System;

namespace Mediasoup.Bwe;

/// <summary>One step of a consumer's layer ladder: the layers and what they cost (bit/s).</summary>
internal readonly record struct LayerRung(short Spatial, short Temporal, long Bitrate);

/// <summary>
/// Shares one transport's outgoing bitrate among its adaptive consumers, sans IO. Each
/// consumer brings a ladder of layer steps ordered from the least to the most it can use, its
/// priority and the step it forwards now. The lowest step is granted to everyone first (video
/// that stalls is worse than a link that is briefly over budget); then, round after round and
/// highest priority first, each consumer climbs as many steps per round as its priority while
/// the budget lasts. Steps above what a consumer forwards now cost <see cref="UpHeadroom"/>
/// times their bitrate, steps at or below it their plain bitrate: a consumer keeps its layers
/// while they fit and climbs only with headroom, so layers do not flap at steady capacity.
/// A consumer whose next step the budget cannot pay is held there, and from then on no consumer
/// of lower priority climbs to or past what the held one gets: otherwise the cheap steps of the
/// lower ones use up the budget the higher one lacks, and both end on the same layers (seen: 1/1
/// and 1/1 on an 800 kbit/s link with priorities 2 and 1).
/// Instances keep their scratch arrays: no allocation once they have grown.
/// </summary>
internal sealed class BitrateAllocator
{
    /// <summary>Factor applied to steps above a consumer's current one.</summary>
    public const double UpHeadroom = 1.25;

    private LayerRung[] _rungs = new LayerRung[32];
    private int[] _start = new int[8], _count = new int[8], _current = new int[8], _priority = new int[8], _chosen = new int[8], _order = new int[8];
    private long[] _ceiling = new long[8];
    private bool[] _held = new bool[8];
    private int _participants;
    private int _rungCount;

    public int Count => _participants;

    public void Clear()
    {
        _participants = 0;
        _rungCount = 0;
    }

    /// <summary>Adds a consumer; returns its index for <see cref="Chosen"/>.
    /// <paramref name="current"/> is the index in <paramref name="ladder"/> forwarded now (-1: none);
    /// steps above it that cost <paramref name="ceiling"/> or more are not granted (a step the
    /// link could not carry a moment ago).</summary>
    public int Add(byte priority, ReadOnlySpan<LayerRung> ladder, int current, long ceiling = long.MaxValue)
    {
        int i = _participants;
        if (i == _start.Length)
        {
            int n = i * 2;
            Array.Resize(ref _start, n);
            Array.Resize(ref _count, n);
            Array.Resize(ref _current, n);
            Array.Resize(ref _priority, n);
            Array.Resize(ref _chosen, n);
            Array.Resize(ref _order, n);
            Array.Resize(ref _ceiling, n);
            Array.Resize(ref _held, n);
        }
        if (_rungCount + ladder.Length > _rungs.Length)
            Array.Resize(ref _rungs, Math.Max(_rungs.Length * 2, _rungCount + ladder.Length));
        ladder.CopyTo(_rungs.AsSpan(_rungCount));
        _start[i] = _rungCount;
        _count[i] = ladder.Length;
        _current[i] = current < ladder.Length ? current : ladder.Length - 1;
        _priority[i] = Math.Max((int)priority, 1);
        _chosen[i] = -1;
        _ceiling[i] = ceiling;
        _rungCount += ladder.Length;
        _participants++;
        return i;
    }

    /// <summary>The step granted to consumer <paramref name="index"/> by the last <see cref="Allocate"/> (-1: none).</summary>
    public int Chosen(int index) => _chosen[index];

    /// <summary>The rung granted to consumer <paramref name="index"/>; false when none.</summary>
    public bool TryGetChosen(int index, out LayerRung rung)
    {
        int c = _chosen[index];
        rung = c >= 0 ? _rungs[_start[index] + c] : default;
        return c >= 0;
    }

    /// <summary>Step <paramref name="step"/> of consumer <paramref name="index"/>'s ladder.</summary>
    public LayerRung RungOf(int index, int step) => _rungs[_start[index] + step];

    /// <summary>Distributes <paramref name="budget"/> bit/s; returns what the granted steps cost.</summary>
    public long Allocate(long budget)
    {
        int n = _participants;
        // Highest priority first; equal priorities keep the order they were added in.
        for (int i = 0; i < n; i++)
            _order[i] = i;
        for (int i = 1; i < n; i++)
        {
            int v = _order[i];
            int j = i - 1;
            while (j >= 0 && _priority[_order[j]] < _priority[v])
            {
                _order[j + 1] = _order[j];
                j--;
            }
            _order[j + 1] = v;
        }

        long remaining = budget;
        for (int k = 0; k < n; k++)
        {
            int i = _order[k];
            _chosen[i] = -1;
            _held[i] = false;
            if (_count[i] > 0)
            {
                _chosen[i] = 0;
                remaining -= Cost(i, 0);
            }
        }
        bool progress = true;
        while (progress)
        {
            progress = false;
            for (int k = 0; k < n; k++)
            {
                int i = _order[k];
                for (int step = 0; step < _priority[i]; step++)
                {
                    int next = _chosen[i] + 1;
                    if (next >= _count[i])
                        break;
                    if (next > _current[i] && _rungs[_start[i] + next].Bitrate >= _ceiling[i])
                        break;
                    if (_rungs[_start[i] + next].Bitrate >= HeldAbove(i))
                        break;
                    long extra = Cost(i, next) - Cost(i, _chosen[i]);
                    if (extra > remaining)
                    {
                        _held[i] = true;
                        break;
                    }
                    _chosen[i] = next;
                    remaining -= extra;
                    progress = true;
                }
            }
        }
        return budget - remaining;
    }

    // The least that a consumer of higher priority than i, held by the budget, gets.
    private long HeldAbove(int i)
    {
        long least = long.MaxValue;
        for (int k = 0; k < _participants; k++)
        {
            if (_held[k] && _priority[k] > _priority[i] && _chosen[k] >= 0)
                least = Math.Min(least, _rungs[_start[k] + _chosen[k]].Bitrate);
        }
        return least;
    }

    private long Cost(int i, int rung)
    {
        long bitrate = _rungs[_start[i] + rung].Bitrate;
        return rung > _current[i] ? (long)(bitrate * UpHeadroom) : bitrate;
    }
}
