using System;
using System.Runtime.InteropServices;
using Mediasoup.Interop.Libc;
using Mediasoup.Loop;

namespace Mediasoup.Net;

public interface ITcpServerListener
{
    /// <summary>A new connection's fd (non-blocking); the listener owns it from now on.
    /// Returns false to refuse it, and the server closes it.</summary>
    bool OnTcpConnection(TcpServer server, int fd, in IpEndpoint remote);
}

/// <summary>A listening TCP socket on the worker's loop.</summary>
public sealed unsafe class TcpServer : IIoHandler, IDisposable
{
    private const int MaxAcceptsPerWakeup = 32;
    /// <summary>After accept failed for want of fds or memory: when to try again.</summary>
    public const int AcceptRetryMs = 100;

    private readonly EventLoop _loop;
    private readonly PortManager.Binding _binding;
    private readonly IoWatch _watch;
    private ITcpServerListener? _listener;
    private LoopTimer? _retryTimer;
    private bool _closed;

    public TcpServer(EventLoop loop, PortManager.Binding binding, ITcpServerListener? listener)
    {
        _loop = loop;
        _binding = binding;
        _listener = listener;
        _watch = loop.Watch(binding.Fd, IoEvents.Readable, this);
    }

    public IpEndpoint Local => _binding.Local;

    public int Fd => _binding.Fd;

    /// <summary>accept() failures for want of fds or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM).</summary>
    public long AcceptResourceErrors { get; private set; }

    public void SetListener(ITcpServerListener? listener) => _listener = listener;

    public void OnIoReady(IoEvents events)
    {
        for (int i = 0; i < MaxAcceptsPerWakeup && !_closed; i++)
        {
            IpEndpoint remote = default;
            int addrLen = sizeof(IpEndpoint);
            int fd = Sockets.Accept4(_binding.Fd, &remote, &addrLen, Sockets.SOCK_NONBLOCK | Sockets.SOCK_CLOEXEC);
            if (fd < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                // A connection that died in the backlog, or a signal: the next one may be fine.
                if (errno is Libc.EINTR or Libc.ECONNABORTED or Libc.EPROTO)
                    continue;
                if (errno == Libc.EAGAIN)
                    return; // edge-triggered: the next connection wakes us
                // Out of fds or memory. The backlog stays readable but, edge-triggered, wakes us
                // only on a new connection, and none comes once the backlog is full: without a
                // retry the listener would never accept again. Retry on a timer (not at once,
                // which would spin while the worker is still at its limit).
                AcceptResourceErrors++;
                (_retryTimer ??= _loop.CreateTimer(RetryAccept)).Start(AcceptRetryMs);
                return;
            }
            Sockets.SetIntOption(fd, Sockets.IPPROTO_TCP, Sockets.TCP_NODELAY, 1);
            if (_listener == null || !_listener.OnTcpConnection(this, fd, remote))
                Libc.Close(fd);
        }
        if (!_closed)
            _watch.Reschedule();
    }

    private void RetryAccept()
    {
        if (!_closed)
            OnIoReady(IoEvents.Readable);
    }

    public void Dispose()
    {
        if (_closed)
            return;
        _closed = true;
        _retryTimer?.Stop();
        _loop.Unwatch(_watch);
        Libc.Close(_binding.Fd);
        _binding.Release();
    }
}
