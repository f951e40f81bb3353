using System;
using System.Runtime.InteropServices;
using Mediasoup.Interop.Libc;
using Mediasoup.Loop;

namespace Mediasoup.Net;

/// <summary>
/// Readiness-driven datagram I/O (the epoll path): when a socket becomes readable it is
/// drained with recvmmsg into one receive area shared by all sockets (packets are handled
/// before the next receive, so one area serves every socket); queued sends leave with one
/// sendmmsg per socket per loop iteration.
/// </summary>
internal sealed unsafe class ReadinessDatagramIo : IDatagramIo
{
    public const int ReceiveBatchSize = 32;
    private const int MaxBatchesPerWakeup = 8;

    private readonly EventLoop _loop;
    private readonly Sockets.MMsgHdr* _rxHeaders;
    private readonly Sockets.IoVec* _rxIov;
    private readonly IpEndpoint* _rxAddrs;
    private readonly byte* _rxBuffers;
    private bool _disposed;

    public ReadinessDatagramIo(EventLoop loop)
    {
        _loop = loop;
        _rxHeaders = (Sockets.MMsgHdr*)NativeMemory.AllocZeroed((nuint)(ReceiveBatchSize * sizeof(Sockets.MMsgHdr)));
        _rxIov = (Sockets.IoVec*)NativeMemory.AllocZeroed((nuint)(ReceiveBatchSize * sizeof(Sockets.IoVec)));
        _rxAddrs = (IpEndpoint*)NativeMemory.AllocZeroed((nuint)(ReceiveBatchSize * sizeof(IpEndpoint)));
        _rxBuffers = (byte*)NativeMemory.AlignedAlloc(ReceiveBatchSize * PacketBufferPool.BufferSize, 64);
        for (int i = 0; i < ReceiveBatchSize; i++)
        {
            _rxIov[i].Base = _rxBuffers + i * PacketBufferPool.BufferSize;
            _rxIov[i].Length = PacketBufferPool.BufferSize;
            _rxHeaders[i].Hdr.Iov = &_rxIov[i];
            _rxHeaders[i].Hdr.IovLen = 1;
            _rxHeaders[i].Hdr.Name = &_rxAddrs[i];
        }
    }

    public string Name => "recvmmsg/sendmmsg";

    /// <summary>The loop's handle on one socket's fd.</summary>
    private sealed class Receiver(ReadinessDatagramIo io, UdpSocket socket) : IIoHandler
    {
        public void OnIoReady(IoEvents events) => io.Receive(socket);
    }

    public void Open(UdpSocket socket) => socket.Watch = _loop.Watch(socket.Fd, IoEvents.Readable, new Receiver(this, socket));

    public void Close(UdpSocket socket)
    {
        if (socket.Watch != null)
            _loop.Unwatch(socket.Watch);
        socket.Watch = null;
    }

    private void Receive(UdpSocket socket)
    {
        for (int batch = 0; batch < MaxBatchesPerWakeup && !socket.IsClosed; batch++)
        {
            for (int i = 0; i < ReceiveBatchSize; i++)
                _rxHeaders[i].Hdr.NameLen = (uint)sizeof(IpEndpoint);
            int n = Sockets.RecvMMsg(socket.Fd, _rxHeaders, ReceiveBatchSize, Sockets.MSG_DONTWAIT, null);
            if (n <= 0)
            {
                if (n < 0 && Marshal.GetLastPInvokeError() == Libc.EINTR)
                    continue;
                return; // EAGAIN, or a transient error such as a reported ICMP unreachable
            }
            for (int i = 0; i < n && !socket.IsClosed; i++)
            {
                var buffer = new Span<byte>(_rxBuffers + i * PacketBufferPool.BufferSize, PacketBufferPool.BufferSize);
                bool truncated = (_rxHeaders[i].Hdr.Flags & Sockets.MSG_TRUNC) != 0;
                socket.Deliver(buffer, (int)_rxHeaders[i].Len, _rxAddrs[i], truncated);
            }
            if (n < ReceiveBatchSize)
                return;
        }
        if (!socket.IsClosed)
            socket.Watch?.Reschedule();
    }

    public void Send(UdpSocket socket) => SendMMsg(socket);

    /// <summary>The socket's queue in as few sendmmsg calls as the kernel allows.</summary>
    internal static void SendMMsg(UdpSocket socket)
    {
        Sockets.MMsgHdr* headers = socket.TxHeaders;
        int count = socket.TxCount;
        int sent = 0;
        while (sent < count)
        {
            int n = Sockets.SendMMsg(socket.Fd, headers + sent, (uint)(count - sent), Sockets.MSG_DONTWAIT);
            if (n > 0)
            {
                for (int i = sent; i < sent + n; i++)
                    socket.CountSent((int)headers[i].Len);
                sent += n;
                continue;
            }
            int errno = Marshal.GetLastPInvokeError();
            if (n < 0 && errno == Libc.EINTR)
                continue;
            // The first pending datagram failed (buffer full, ICMP error...): drop it, go on.
            socket.CountSendError();
            sent++;
        }
        // The buffers stay with the socket's queue slots for the next datagrams.
        socket.TxCount = 0;
    }

    public void EndIteration()
    {
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        NativeMemory.Free(_rxHeaders);
        NativeMemory.Free(_rxIov);
        NativeMemory.Free(_rxAddrs);
        NativeMemory.AlignedFree(_rxBuffers);
    }
}
