using System;
using System.Collections.Generic;

namespace Mediasoup.Loop;

public enum LoopBackendKind
{
    /// <summary>io_uring when the kernel allows it, else epoll.</summary>
    Auto,
    Epoll,
    IoUring,
}

/// <summary>A registered fd. Owned by whoever watched it; closing the fd is theirs too.</summary>
public sealed class IoWatch
{
    internal readonly EventLoop Loop;
    internal readonly int Slot;
    internal uint Generation;
    internal bool Rescheduled;

    internal IoWatch(EventLoop loop, int slot, int fd, IIoHandler handler)
    {
        Loop = loop;
        Slot = slot;
        Fd = fd;
        Handler = handler;
    }

    public int Fd { get; internal set; }
    public IIoHandler Handler { get; internal set; }
    public bool IsActive { get; internal set; }

    /// <summary>Asks to be called again on the next loop iteration (readiness is
    /// edge-triggered, so a handler that stopped before EAGAIN must say so).</summary>
    public void Reschedule() => Loop.Reschedule(this);

    internal ulong Token => ((ulong)Generation << 32) | (uint)Slot;
}

/// <summary>
/// One worker's event loop: one thread, fds and timers. Knows nothing about what the
/// fds carry. Not thread-safe: everything runs on the thread that calls <see cref="Run"/>.
/// </summary>
public sealed class EventLoop : IDisposable
{
    private readonly IPollBackend _backend;
    private readonly TimerHeap _timers;
    private readonly List<IoWatch?> _slots = new();
    private readonly Stack<int> _freeSlots = new();
    private readonly List<IoWatch> _rescheduled = new();
    private readonly List<IoWatch> _rescheduledRun = new();
    private readonly Queue<Action> _deferred = new();
    private readonly List<Action> _iterationEndHooks = new();
    private readonly ReadyEvent[] _ready = new ReadyEvent[256];
    private long _nowMs;
    private long _nowUs;
    private bool _stopping;
    private bool _disposed;

    private EventLoop(IPollBackend backend)
    {
        _backend = backend;
        _nowUs = MonotonicClock.NowUs();
        _nowMs = _nowUs / 1000;
        _timers = new TimerHeap(() => _nowMs);
    }

    /// <summary>Creates a loop. Auto tries io_uring and silently falls back to epoll;
    /// an explicit IoUring request that cannot be met falls back too, with a reason.</summary>
    public static EventLoop Create(LoopBackendKind kind, out string? fallbackReason)
    {
        fallbackReason = null;
        if (kind != LoopBackendKind.Epoll)
        {
            UringBackend? uring = UringBackend.TryCreate(out string? reason);
            if (uring != null)
                return new EventLoop(uring);
            if (kind == LoopBackendKind.IoUring)
                fallbackReason = reason;
        }
        return new EventLoop(new EpollBackend());
    }

    /// <summary>Used when MEDIASOUP_WORKER_LOOP is unset. epoll until the benchmarks show
    /// io_uring costs less CPU under SFU load (mediasoup itself dropped io_uring for that).</summary>
    public const LoopBackendKind DefaultKind = LoopBackendKind.Epoll;

    /// <summary>Backend from MEDIASOUP_WORKER_LOOP: "epoll", "io_uring" (falls back to epoll when
    /// the kernel or a seccomp policy refuses it), "auto" (io_uring if possible).</summary>
    public static LoopBackendKind KindFromEnvironment(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        "epoll" => LoopBackendKind.Epoll,
        "io_uring" or "iouring" or "uring" => LoopBackendKind.IoUring,
        "auto" => LoopBackendKind.Auto,
        _ => DefaultKind,
    };

    public string BackendName => _backend.Name;

    /// <summary>Time of the current iteration (monotonic ms), like libuv's uv_now.</summary>
    public long NowMs => _nowMs;

    /// <summary>Same instant in microseconds (packet timing needs the precision).</summary>
    public long NowUs => _nowUs;

    public void UpdateTime()
    {
        _nowUs = MonotonicClock.NowUs();
        _nowMs = _nowUs / 1000;
    }

    public int ActiveWatchCount => _slots.Count - _freeSlots.Count;

    public int ActiveTimerCount => _timers.Count;

    public IoWatch Watch(int fd, IoEvents interest, IIoHandler handler)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int slot;
        IoWatch watch;
        if (_freeSlots.Count > 0)
        {
            slot = _freeSlots.Pop();
            watch = new IoWatch(this, slot, fd, handler) { Generation = NextGeneration(slot) };
            _slots[slot] = watch;
        }
        else
        {
            slot = _slots.Count;
            watch = new IoWatch(this, slot, fd, handler);
            _slots.Add(watch);
        }
        _backend.Add(fd, interest, watch.Token);
        watch.IsActive = true;
        return watch;
    }

    private uint _generationCounter;

    // 31 bits: watch tokens never carry CompletionTokenBit.
    private uint NextGeneration(int slot) => _generationCounter = (_generationCounter + 1) & 0x7FFFFFFF;

    /// <summary>Set in the token of every request submitted directly on the io_uring ring (as
    /// opposed to fd watches), whose completions go to the completion handler.</summary>
    internal const ulong CompletionTokenBit = 1UL << 63;

    private ICompletionHandler? _completionHandler;

    /// <summary>The io_uring backend when that is what runs, for direct submissions.</summary>
    internal UringBackend? Uring => _backend as UringBackend;

    /// <summary>Where completions of direct io_uring submissions go (one per loop).</summary>
    internal void SetCompletionHandler(ICompletionHandler? handler) => _completionHandler = handler;

    /// <summary>Stops watching. Safe to call from inside the watch's own callback.</summary>
    public void Unwatch(IoWatch watch)
    {
        if (!watch.IsActive || watch.Loop != this)
            return;
        watch.IsActive = false;
        _backend.Remove(watch.Fd, watch.Token);
        _slots[watch.Slot] = null;
        _freeSlots.Push(watch.Slot);
        watch.Rescheduled = false;
    }

    internal void Reschedule(IoWatch watch)
    {
        if (!watch.IsActive || watch.Rescheduled)
            return;
        watch.Rescheduled = true;
        _rescheduled.Add(watch);
    }

    public LoopTimer CreateTimer(Action callback) => _timers.Create(callback);

    /// <summary>Runs action on the next iteration, after current I/O handling.</summary>
    public void Defer(Action action) => _deferred.Enqueue(action);

    /// <summary>Runs hook at the end of every iteration, after I/O, timers and deferred
    /// actions: where batched sends are flushed.</summary>
    public void AddIterationEndHook(Action hook) => _iterationEndHooks.Add(hook);

    private Action<Exception>? _onUnhandled;

    /// <summary>
    /// Last line of defence: an exception escaping an fd handler or a timer (a bug, since input
    /// errors are handled where they occur) is reported here and the loop goes on, so no packet
    /// or peer can take the worker down. Covers timers, deferred actions and iteration-end hooks
    /// too. Without a handler such exceptions propagate.
    /// </summary>
    public void SetUnhandledExceptionHandler(Action<Exception>? handler) => _onUnhandled = handler;

    private void Invoke(IIoHandler handler, IoEvents events)
    {
        try { handler.OnIoReady(events); }
        catch (Exception ex) when (_onUnhandled != null) { _onUnhandled(ex); }
    }

    private void Invoke(ICompletionHandler handler, in ReadyEvent ev)
    {
        try { handler.OnCompletion(ev.Token, ev.Result, ev.Flags); }
        catch (Exception ex) when (_onUnhandled != null) { _onUnhandled(ex); }
    }

    private void Invoke(Action action)
    {
        try { action(); }
        catch (Exception ex) when (_onUnhandled != null) { _onUnhandled(ex); }
    }

    /// <summary>Makes <see cref="Run"/> return after the current iteration.</summary>
    public void Stop() => _stopping = true;

    public bool IsStopping => _stopping;

    /// <summary>Runs until <see cref="Stop"/>. Handler exceptions are not caught here:
    /// owners catch what their input can cause.</summary>
    public void Run()
    {
        while (!_stopping)
            RunOnce(-1);
        _stopping = false;
    }

    /// <summary>One iteration: wait (at most maxWaitMs, -1 = until the next timer), dispatch
    /// I/O, fire due timers, run deferred actions. For tests and embedding.</summary>
    public void RunOnce(int maxWaitMs)
    {
        int timeout = ComputeTimeout(maxWaitMs);
        int n = _backend.Wait(_ready, timeout);
        UpdateTime();

        for (int i = 0; i < n; i++)
        {
            ulong token = _ready[i].Token;
            if ((token & CompletionTokenBit) != 0)
            {
                if (_completionHandler != null)
                    Invoke(_completionHandler, in _ready[i]);
                continue;
            }
            int slot = (int)(uint)token;
            if ((uint)slot >= (uint)_slots.Count)
                continue;
            IoWatch? w = _slots[slot];
            if (w == null || w.Token != token || !w.IsActive)
                continue; // the watch went away earlier in this batch
            Invoke(w.Handler, _ready[i].Events);
        }

        if (_rescheduled.Count > 0)
        {
            // Swap so handlers may reschedule again for the following iteration.
            _rescheduledRun.AddRange(_rescheduled);
            _rescheduled.Clear();
            foreach (IoWatch w in _rescheduledRun)
            {
                if (!w.Rescheduled || !w.IsActive)
                    continue;
                w.Rescheduled = false;
                Invoke(w.Handler, IoEvents.Readable | IoEvents.Writable);
            }
            _rescheduledRun.Clear();
        }

        _timers.RunDue(_nowMs, _onUnhandled);

        int deferred = _deferred.Count;
        while (deferred-- > 0)
            Invoke(_deferred.Dequeue());

        for (int i = 0; i < _iterationEndHooks.Count; i++)
            Invoke(_iterationEndHooks[i]);
    }

    private int ComputeTimeout(int maxWaitMs)
    {
        if (_rescheduled.Count > 0 || _deferred.Count > 0 || _stopping)
            return 0;
        long next = _timers.NextDueMs;
        int timeout;
        if (next == long.MaxValue)
            timeout = -1;
        else
        {
            long delta = next - MonotonicClock.NowMs();
            timeout = delta <= 0 ? 0 : (int)Math.Min(delta, int.MaxValue);
        }
        if (maxWaitMs >= 0 && (timeout < 0 || timeout > maxWaitMs))
            timeout = maxWaitMs;
        return timeout;
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _backend.Dispose();
    }
}
