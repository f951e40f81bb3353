using System;
using Mediasoup.Interop.Libc;
using Mediasoup.Loop;
using Mediasoup.Net;

namespace Mediasoup.Worker;

/// <summary>
/// Gives memory back to the system, so a worker's RSS follows what it holds rather than its
/// peak. Periodically, the packet pool frees slabs a past burst left unused (one slab of free
/// buffers is kept). When the worker has become idle (its last router closed) and stays so for
/// <see cref="IdleDelayMs"/>, everything goes: the pool's free slabs, a compacting GC that
/// decommits what it freed, and glibc's free heap pages (usrsctp, OpenSSL). The idle delay
/// keeps router churn from paying a full GC per router. In library mode the GC is the process's:
/// an idle worker's collection runs on its thread and pauses the others briefly.
/// </summary>
internal sealed class MemoryTrimmer : IDisposable
{
    public const long PeriodMs = 10_000;
    public const long IdleDelayMs = 1_000;

    private readonly PacketBufferPool _pool;
    private readonly Func<bool> _isIdle;
    private readonly LoopTimer _periodic;
    private readonly LoopTimer _idle;

    public MemoryTrimmer(EventLoop loop, PacketBufferPool pool, Func<bool> isIdle)
    {
        _pool = pool;
        _isIdle = isIdle;
        _periodic = loop.CreateTimer(() => _pool.Trim(keepFree: PacketBufferPool.SlabBuffers));
        _periodic.Start(PeriodMs, PeriodMs);
        _idle = loop.CreateTimer(TrimIfIdle);
    }

    /// <summary>Full trims done (tests, dumps).</summary>
    public int IdleTrims { get; private set; }

    /// <summary>The worker may have become idle: trims fully if it still is after the delay.</summary>
    public void OnMaybeIdle() => _idle.Start(IdleDelayMs);

    private void TrimIfIdle()
    {
        if (!_isIdle())
            return;
        IdleTrims++;
        _pool.Trim(keepFree: 0);
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        Libc.MallocTrim(0);
    }

    public void Dispose()
    {
        _periodic.Stop();
        _idle.Stop();
    }
}
