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
        int first = 0;
        if (socket.TxCount > 1 && socket.Io.UseGso && !socket.GsoRefused)
            first = SendGso(socket);
        SendEach(socket, first);
        // The buffers stay with the socket's queue slots for the next datagrams.
        socket.TxCount = 0;
    }

    // One message per datagram, from `first` on.
    private static void SendEach(UdpSocket socket, int first)
    {
        Sockets.MMsgHdr* headers = socket.TxHeaders;
        int count = socket.TxCount;
        int sent = first;
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
    }

    /// <summary>
    /// Sends the queue as UDP GSO runs (one message per run of equal-sized datagrams to one
    /// remote). Returns the index of the first datagram still to send one by one: the count
    /// when everything went, less when the route refused GSO (the socket then stops trying).
    /// </summary>
    private static int SendGso(UdpSocket socket)
    {
        int count = socket.TxCount;
        Sockets.IoVec* iov = socket.TxIov;
        NetIo io = socket.Io;
        Span<int> lengths = stackalloc int[count];
        for (int i = 0; i < count; i++)
            lengths[i] = (int)iov[i].Length;
        var remotes = new ReadOnlySpan<IpEndpoint>(socket.TxAddrs, count);

        // Plan every run: message k covers datagrams [runStart[k], runStart[k] + its IovLen).
        Span<int> runStart = stackalloc int[count];
        int runs = 0;
        for (int start = 0; start < count;)
        {
            int length = UdpGsoPlanner.RunLength(lengths, remotes, start);
            ref Sockets.MMsgHdr m = ref io.GsoHeaders[runs];
            m.Hdr.Name = &socket.TxAddrs[start];
            m.Hdr.NameLen = socket.TxHeaders[start].Hdr.NameLen;
            m.Hdr.Iov = &iov[start];
            m.Hdr.IovLen = (nuint)length;
            m.Hdr.Flags = 0;
            if (length > 1)
            {
                byte* control = io.GsoControl + runs * Sockets.CMsgSpaceUInt16;
                var cmsg = (Sockets.CMsgHdr*)control;
                cmsg->Len = Sockets.CMsgLenUInt16;
                cmsg->Level = Sockets.SOL_UDP;
                cmsg->Type = Sockets.UDP_SEGMENT;
                *(ushort*)(control + sizeof(Sockets.CMsgHdr)) = (ushort)lengths[start];
                m.Hdr.Control = control;
                m.Hdr.ControlLen = Sockets.CMsgSpaceUInt16;
            }
            else
            {
                m.Hdr.Control = null;
                m.Hdr.ControlLen = 0;
            }
            runStart[runs++] = start;
            start += length;
        }

        int done = 0; // runs handled
        while (done < runs)
        {
            int n = Sockets.SendMMsg(socket.Fd, io.GsoHeaders + done, (uint)(runs - done), Sockets.MSG_DONTWAIT);
            if (n > 0)
            {
                for (int k = done; k < done + n; k++)
                {
                    int sentRun = (int)io.GsoHeaders[k].Hdr.IovLen;
                    CountRun(socket, lengths, runStart[k], sentRun, sent: true);
                    if (sentRun > 1)
                        socket.GsoMessagesSent++;
                }
                done += n;
                continue;
            }
            int errno = Marshal.GetLastPInvokeError();
            if (n < 0 && errno == Libc.EINTR)
                continue;
            int runLength = (int)io.GsoHeaders[done].Hdr.IovLen;
            if (runLength > 1 && errno is Libc.EIO or Libc.EINVAL or Libc.EOPNOTSUPP or Libc.ENOPROTOOPT)
            {
                // This route cannot segment (no checksum offload, IPsec, old kernel...).
                socket.GsoRefused = true;
                return runStart[done];
            }
            // Buffer full, ICMP error...: the run is dropped, as a single datagram would be.
            CountRun(socket, lengths, runStart[done], runLength, sent: false);
            done++;
        }
        return count;
    }

    private static void CountRun(UdpSocket socket, ReadOnlySpan<int> lengths, int start, int length, bool sent)
    {
        for (int i = start; i < start + length; i++)
        {
            if (sent)
                socket.CountSent(lengths[i]);
            else
                socket.CountSendError();
        }
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
