using System;

namespace Mediasoup.Loop;

/// <summary>A one-shot or repeating timer on an <see cref="EventLoop"/>. Reusable: Start
/// again after it fired or was stopped. Created once per owner, never per packet.</summary>
public sealed class LoopTimer
{
    private readonly TimerHeap _heap;
    private readonly Action _callback;
    internal long DueMs;
    internal long Sequence; // ties broken by start order, so equal deadlines fire FIFO
    internal int HeapIndex = -1;

    internal LoopTimer(TimerHeap heap, Action callback)
    {
        _heap = heap;
        _callback = callback;
    }

    public long TimeoutMs { get; private set; }
    public long RepeatMs { get; private set; }
    public bool IsActive => HeapIndex >= 0;

    /// <summary>Fires after timeoutMs, then every repeatMs if repeatMs &gt; 0.</summary>
    public void Start(long timeoutMs, long repeatMs = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(timeoutMs);
        ArgumentOutOfRangeException.ThrowIfNegative(repeatMs);
        TimeoutMs = timeoutMs;
        RepeatMs = repeatMs;
        _heap.Schedule(this, _heap.NowMs + timeoutMs);
    }

    /// <summary>Starts again with the last timeout and repeat.</summary>
    public void Restart() => Start(TimeoutMs, RepeatMs);

    public void Stop() => _heap.Unschedule(this);

    internal void Fire() => _callback();
}

/// <summary>Binary min-heap of timers ordered by (due time, start order).</summary>
internal sealed class TimerHeap
{
    private LoopTimer[] _items = new LoopTimer[16];
    private int _count;
    private long _sequence;
    private readonly Func<long> _now;

    public TimerHeap(Func<long> now) => _now = now;

    public long NowMs => _now();
    public int Count => _count;

    public LoopTimer Create(Action callback) => new(this, callback);

    public long NextDueMs => _count == 0 ? long.MaxValue : _items[0].DueMs;

    public void Schedule(LoopTimer t, long dueMs)
    {
        if (t.HeapIndex >= 0)
            RemoveAt(t.HeapIndex);
        t.DueMs = dueMs;
        t.Sequence = ++_sequence;
        if (_count == _items.Length)
            Array.Resize(ref _items, _count * 2);
        _items[_count] = t;
        t.HeapIndex = _count;
        _count++;
        SiftUp(t.HeapIndex);
    }

    public void Unschedule(LoopTimer t)
    {
        if (t.HeapIndex >= 0)
            RemoveAt(t.HeapIndex);
    }

    /// <summary>Fires every timer due at nowMs. Timers started from callbacks with a zero
    /// timeout wait for the next call, so a callback cannot starve the loop.</summary>
    public void RunDue(long nowMs, Action<Exception>? onUnhandled = null)
    {
        long limit = _sequence;
        while (_count > 0)
        {
            LoopTimer t = _items[0];
            if (t.DueMs > nowMs || t.Sequence > limit)
                break;
            RemoveAt(0);
            if (t.RepeatMs > 0)
                Schedule(t, nowMs + t.RepeatMs);
            try { t.Fire(); }
            catch (Exception ex) when (onUnhandled != null) { onUnhandled(ex); }
        }
    }

    private static bool Less(LoopTimer a, LoopTimer b) =>
        a.DueMs < b.DueMs || (a.DueMs == b.DueMs && a.Sequence < b.Sequence);

    private void RemoveAt(int i)
    {
        LoopTimer removed = _items[i];
        _count--;
        if (i != _count)
        {
            LoopTimer last = _items[_count];
            _items[i] = last;
            last.HeapIndex = i;
            SiftDown(i);
            SiftUp(last.HeapIndex);
        }
        _items[_count] = null!;
        removed.HeapIndex = -1;
    }

    private void SiftUp(int i)
    {
        LoopTimer t = _items[i];
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            LoopTimer p = _items[parent];
            if (!Less(t, p))
                break;
            _items[i] = p;
            p.HeapIndex = i;
            i = parent;
        }
        _items[i] = t;
        t.HeapIndex = i;
    }

    private void SiftDown(int i)
    {
        LoopTimer t = _items[i];
        while (true)
        {
            int left = 2 * i + 1;
            if (left >= _count)
                break;
            int right = left + 1;
            int child = right < _count && Less(_items[right], _items[left]) ? right : left;
            if (!Less(_items[child], t))
                break;
            _items[i] = _items[child];
            _items[i].HeapIndex = i;
            i = child;
        }
        _items[i] = t;
        t.HeapIndex = i;
    }
}
