using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using Mediasoup.Interop.Libc;
using Mediasoup.Interop.Uring;

namespace Mediasoup.Loop;

/// <summary>io_uring backend: one multishot poll per watched fd (re-armed when the kernel ends
/// it, no F_MORE, while the fd is still watched). Other requests (UDP receive and send, see
/// Net/UringDatagramIo) are submitted on the same ring and their completions handed through
/// with their token. Creation fails, so the loop falls back to epoll, unless the kernel has
/// multishot recvmsg and provided-buffer rings too.</summary>
internal sealed unsafe class UringBackend : IPollBackend
{
    private const int MaxEvents = 256;
    // Submission queue size: one iteration's sends are submitted together, a full queue
    // only costs an extra io_uring_enter.
    private const uint RingEntries = 1024;
    private readonly nint _ring;
    private readonly Uring.Event* _events;
    // token -> (fd, interest), to re-arm polls that ended.
    private readonly Dictionary<ulong, (int Fd, IoEvents Interest)> _watched = new();
    private bool _disposed;

    private UringBackend(nint ring)
    {
        _ring = ring;
        _events = (Uring.Event*)NativeMemory.Alloc((nuint)(MaxEvents * sizeof(Uring.Event)));
    }

    /// <summary>Null when io_uring cannot be used here (old kernel, seccomp, container policy).</summary>
    public static UringBackend? TryCreate(out string? reason)
    {
        int err;
        nint ring;
        try
        {
            ring = Uring.Create(RingEntries, &err);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            reason = ex.Message;
            return null;
        }
        if (ring == 0)
        {
            reason = $"io_uring unavailable: {Libc.ErrorText(-err)}";
            return null;
        }
        reason = null;
        return new UringBackend(ring);
    }

    public string Name => "io_uring";

    /// <summary>The native ring, for datagram I/O that submits its own requests.</summary>
    internal nint Ring => _ring;

    /// <summary>After Dispose the ring is gone and must not be touched.</summary>
    internal bool IsDisposed => _disposed;

    public void Add(int fd, IoEvents interest, ulong token)
    {
        int ret = Uring.PollAdd(_ring, fd, (uint)interest | Libc.EPOLLRDHUP, token);
        if (ret < 0)
            throw new LoopException($"io_uring poll_add(fd:{fd}) failed: {Libc.ErrorText(-ret)}");
        _watched[token] = (fd, interest);
    }

    public void Remove(int fd, ulong token)
    {
        if (_watched.Remove(token))
            Uring.PollRemove(_ring, token);
    }

    public int Wait(Span<ReadyEvent> ready, int timeoutMs)
    {
        int max = Math.Min(ready.Length, MaxEvents);
        int n = Uring.Wait(_ring, _events, max, timeoutMs);
        if (n < 0)
        {
            if (-n == Libc.EINTR)
                return 0;
            throw new LoopException($"io_uring wait failed: {Libc.ErrorText(-n)}");
        }
        int count = 0;
        for (int i = 0; i < n; i++)
        {
            ref Uring.Event ev = ref _events[i];
            if ((ev.Token & EventLoop.CompletionTokenBit) != 0)
            {
                // A request of the completion handler's (datagram I/O): passed through as is.
                ready[count].Token = ev.Token;
                ready[count].Events = IoEvents.None;
                ready[count].Result = ev.Result;
                ready[count].Flags = ev.Flags;
                count++;
                continue;
            }
            if (!_watched.TryGetValue(ev.Token, out var w))
                continue; // removed meanwhile: a late completion or the cancellation itself
            if ((ev.Flags & Uring.CqeFMore) == 0 && ev.Result >= 0)
            {
                // The kernel ended this multishot poll (e.g. CQ overflow): arm it again.
                Uring.PollAdd(_ring, w.Fd, (uint)w.Interest | Libc.EPOLLRDHUP, ev.Token);
            }
            if (ev.Result < 0)
            {
                if (ev.Result == -Libc.ECANCELED)
                    continue;
                ready[count].Token = ev.Token;
                ready[count].Events = IoEvents.Error;
                ready[count].Result = 0;
                ready[count].Flags = 0;
                count++;
                continue;
            }
            uint e = (uint)ev.Result;
            if ((e & Libc.EPOLLRDHUP) != 0)
                e |= Libc.EPOLLIN | Libc.EPOLLHUP;
            ready[count].Token = ev.Token;
            ready[count].Events = (IoEvents)(e & 0x1D);
            ready[count].Result = 0;
            ready[count].Flags = 0;
            count++;
        }
        return count;
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        Uring.Destroy(_ring);
        NativeMemory.Free(_events);
    }
}
