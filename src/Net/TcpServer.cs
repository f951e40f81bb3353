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

    private readonly EventLoop _loop;
    private readonly PortManager.Binding _binding;
    private readonly IoWatch _watch;
    private ITcpServerListener? _listener;
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
                if (errno == Libc.EINTR)
                    continue;
                return;
            }
            Sockets.SetIntOption(fd, Sockets.IPPROTO_TCP, Sockets.TCP_NODELAY, 1);
            if (_listener == null || !_listener.OnTcpConnection(this, fd, remote))
                Libc.Close(fd);
        }
        if (!_closed)
            _watch.Reschedule();
    }

    public void Dispose()
    {
        if (_closed)
            return;
        _closed = true;
        _loop.Unwatch(_watch);
        Libc.Close(_binding.Fd);
        _binding.Release();
    }
}
