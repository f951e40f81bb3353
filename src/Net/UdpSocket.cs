using System;
using System.Runtime.InteropServices;
using Mediasoup.Interop.Libc;
using Mediasoup.Loop;

namespace Mediasoup.Net;

public interface IUdpSocketListener
{
    /// <summary>A datagram; data is valid only during the call.</summary>
    void OnUdpPacket(UdpSocket socket, ReadOnlySpan<byte> data, in IpEndpoint remote);
}

/// <summary>A bound, non-blocking UDP socket on the worker's loop. Receives into one
/// reusable native buffer; no allocation per datagram.</summary>
public sealed unsafe class UdpSocket : IIoHandler, IDisposable
{
    private const int RecvBufferSize = 65536;
    private const int MaxReadsPerWakeup = 64;

    private readonly EventLoop _loop;
    private readonly PortManager.Binding _binding;
    private readonly IoWatch _watch;
    private readonly byte* _recvBuffer;
    private IUdpSocketListener? _listener;
    private bool _closed;

    public UdpSocket(EventLoop loop, PortManager.Binding binding, IUdpSocketListener? listener)
    {
        _loop = loop;
        _binding = binding;
        _listener = listener;
        _recvBuffer = (byte*)NativeMemory.Alloc(RecvBufferSize);
        _watch = loop.Watch(binding.Fd, IoEvents.Readable, this);
    }

    public IpEndpoint Local => _binding.Local;

    public int Fd => _binding.Fd;

    public ulong PacketsReceived { get; private set; }

    public ulong BytesReceived { get; private set; }

    public void SetListener(IUdpSocketListener? listener) => _listener = listener;

    public int SendBufferSize => GetIntOption(Sockets.SO_SNDBUF);

    public int RecvBufferSizeOption => GetIntOption(Sockets.SO_RCVBUF);

    /// <summary>Sends one datagram; false when the kernel refused it (counted by callers).</summary>
    public bool Send(ReadOnlySpan<byte> data, in IpEndpoint remote)
    {
        if (_closed)
            return false;
        IpEndpoint r = remote;
        fixed (byte* p = data)
        {
            nint n = Sockets.SendTo(_binding.Fd, p, data.Length, 0, &r, r.SockAddrLength);
            return n == data.Length;
        }
    }

    public void OnIoReady(IoEvents events)
    {
        IpEndpoint remote;
        for (int i = 0; i < MaxReadsPerWakeup && !_closed; i++)
        {
            remote = default;
            int addrLen = sizeof(IpEndpoint);
            nint n = Sockets.RecvFrom(_binding.Fd, _recvBuffer, RecvBufferSize, 0, &remote, &addrLen);
            if (n < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == Libc.EINTR)
                    continue;
                return; // EAGAIN, or a transient error (ICMP unreachable reported back)
            }
            PacketsReceived++;
            BytesReceived += (ulong)n;
            _listener?.OnUdpPacket(this, new ReadOnlySpan<byte>(_recvBuffer, (int)n), remote);
        }
        if (!_closed)
            _watch.Reschedule();
    }

    private int GetIntOption(int name)
    {
        int value = 0;
        int len = sizeof(int);
        Sockets.GetSockOpt(_binding.Fd, Sockets.SOL_SOCKET, name, &value, &len);
        return value;
    }

    public void Dispose()
    {
        if (_closed)
            return;
        _closed = true;
        _loop.Unwatch(_watch);
        Libc.Close(_binding.Fd);
        _binding.Release();
        NativeMemory.Free(_recvBuffer);
    }
}
