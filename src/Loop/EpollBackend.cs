using System;
using System.Runtime.InteropServices;
using Mediasoup.Interop.Libc;

namespace Mediasoup.Loop;

internal sealed unsafe class EpollBackend : IPollBackend
{
    private const int MaxEvents = 256;
    private readonly int _epfd;
    private readonly Libc.EpollEvent* _events;
    private bool _disposed;

    public EpollBackend()
    {
        _epfd = Libc.EpollCreate1(Libc.EPOLL_CLOEXEC);
        if (_epfd < 0)
            throw new LoopException($"epoll_create1() failed: {Libc.ErrorText(Marshal.GetLastPInvokeError())}");
        _events = (Libc.EpollEvent*)NativeMemory.Alloc((nuint)(MaxEvents * sizeof(Libc.EpollEvent)));
    }

    public string Name => "epoll";

    public void Add(int fd, IoEvents interest, ulong token)
    {
        var ev = new Libc.EpollEvent { Events = (uint)interest | Libc.EPOLLET | Libc.EPOLLRDHUP, Data = token };
        if (Libc.EpollCtl(_epfd, Libc.EPOLL_CTL_ADD, fd, &ev) != 0)
            throw new LoopException($"epoll_ctl(ADD, fd:{fd}) failed: {Libc.ErrorText(Marshal.GetLastPInvokeError())}");
    }

    public void Remove(int fd, ulong token)
    {
        // The fd may already be closed (then the kernel forgot it); nothing to report.
        Libc.EpollCtl(_epfd, Libc.EPOLL_CTL_DEL, fd, null);
    }

    public int Wait(Span<ReadyEvent> ready, int timeoutMs)
    {
        int max = Math.Min(ready.Length, MaxEvents);
        int n = Libc.EpollWait(_epfd, _events, max, timeoutMs);
        if (n < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Libc.EINTR)
                return 0;
            throw new LoopException($"epoll_wait() failed: {Libc.ErrorText(errno)}");
        }
        for (int i = 0; i < n; i++)
        {
            ready[i].Token = _events[i].Data;
            uint e = _events[i].Events;
            if ((e & Libc.EPOLLRDHUP) != 0)
                e |= Libc.EPOLLIN | Libc.EPOLLHUP;
            ready[i].Events = (IoEvents)(e & 0x1D);
        }
        return n;
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        Libc.Close(_epfd);
        NativeMemory.Free(_events);
    }
}
