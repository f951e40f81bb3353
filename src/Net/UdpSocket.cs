using System;
using System.Runtime.InteropServices;
using Mediasoup.Interop.Libc;
using Mediasoup.Loop;

namespace Mediasoup.Net;

public interface IUdpSocketListener
{
    /// <summary>A datagram in <paramref name="buffer"/>[0..length). The buffer is the packet's
    /// whole native slot (capacity <see cref="PacketBufferPool.BufferSize"/>), so it may be
    /// rewritten in place (decrypt, header changes). Valid only during the call.</summary>
    void OnUdpPacket(UdpSocket socket, Span<byte> buffer, int length, in IpEndpoint remote);
}

/// <summary>
/// A bound, non-blocking UDP socket on the worker's loop. Receives in batches with
/// recvmmsg into the worker's shared receive area; sends are queued into pooled buffers
/// and leave in one sendmmsg per socket per loop iteration. No allocation per datagram.
/// </summary>
public sealed unsafe class UdpSocket : IIoHandler, IDisposable
{
    private const int MaxBatchesPerWakeup = 8;
    private const int SendQueueSize = 64;

    private readonly NetIo _io;
    private readonly PortManager.Binding _binding;
    private readonly IoWatch _watch;
    private readonly Sockets.MMsgHdr* _txHeaders;
    private readonly Sockets.IoVec* _txIov;
    private readonly IpEndpoint* _txAddrs;
    private readonly byte** _txBuffers;
    private int _txCount;
    private IUdpSocketListener? _listener;
    private bool _closed;

    public UdpSocket(NetIo io, PortManager.Binding binding, IUdpSocketListener? listener)
    {
        _io = io;
        _binding = binding;
        _listener = listener;
        _txHeaders = (Sockets.MMsgHdr*)NativeMemory.AllocZeroed((nuint)(SendQueueSize * sizeof(Sockets.MMsgHdr)));
        _txIov = (Sockets.IoVec*)NativeMemory.AllocZeroed((nuint)(SendQueueSize * sizeof(Sockets.IoVec)));
        _txAddrs = (IpEndpoint*)NativeMemory.AllocZeroed((nuint)(SendQueueSize * sizeof(IpEndpoint)));
        _txBuffers = (byte**)NativeMemory.AllocZeroed((nuint)(SendQueueSize * sizeof(byte*)));
        for (int i = 0; i < SendQueueSize; i++)
        {
            _txHeaders[i].Hdr.Iov = &_txIov[i];
            _txHeaders[i].Hdr.IovLen = 1;
            _txHeaders[i].Hdr.Name = &_txAddrs[i];
        }
        _watch = io.Loop.Watch(binding.Fd, IoEvents.Readable, this);
        Id = io.NextSocketId();
    }

    /// <summary>Worker-unique id (see <see cref="NetIo.NextSocketId"/>).</summary>
    public int Id { get; }

    public IpEndpoint Local => _binding.Local;

    public int Fd => _binding.Fd;

    public ulong PacketsReceived { get; private set; }
    public ulong BytesReceived { get; private set; }
    public ulong PacketsSent { get; private set; }
    public ulong BytesSent { get; private set; }

    /// <summary>Datagrams the kernel refused (socket buffer full, unreachable, ...).</summary>
    public ulong SendErrors { get; private set; }

    public void SetListener(IUdpSocketListener? listener) => _listener = listener;

    public int SendBufferSize => GetIntOption(Sockets.SO_SNDBUF);

    public int RecvBufferSizeOption => GetIntOption(Sockets.SO_RCVBUF);

    /// <summary>Queues a copy of data for remote; it leaves at the end of this loop iteration.</summary>
    public void Send(ReadOnlySpan<byte> data, in IpEndpoint remote)
    {
        if (_closed || data.Length > PacketBufferPool.BufferSize)
        {
            SendErrors++;
            return;
        }
        Span<byte> slot = BeginSend();
        data.CopyTo(slot);
        CommitSend(data.Length, remote);
    }

    /// <summary>A pooled buffer to build the next datagram in (no copy afterwards); follow
    /// with <see cref="CommitSend"/>. Only one may be open at a time.</summary>
    public Span<byte> BeginSend()
    {
        if (_txCount == SendQueueSize)
            Flush();
        byte* buf = _txBuffers[_txCount];
        if (buf == null)
            _txBuffers[_txCount] = buf = _io.Pool.Rent();
        return new Span<byte>(buf, PacketBufferPool.BufferSize);
    }

    public void CommitSend(int length, in IpEndpoint remote)
    {
        if (_closed)
            return;
        int i = _txCount;
        _txIov[i].Base = _txBuffers[i];
        _txIov[i].Length = (nuint)length;
        _txAddrs[i] = remote;
        _txHeaders[i].Hdr.NameLen = (uint)remote.SockAddrLength;
        if (_txCount++ == 0)
            _io.ScheduleFlush(this);
    }

    /// <summary>Sends the queue now (the loop does it at the end of each iteration).</summary>
    public void Flush()
    {
        int sent = 0;
        while (sent < _txCount && !_closed)
        {
            int n = Sockets.SendMMsg(_binding.Fd, _txHeaders + sent, (uint)(_txCount - sent), Sockets.MSG_DONTWAIT);
            if (n > 0)
            {
                for (int i = sent; i < sent + n; i++)
                    BytesSent += _txHeaders[i].Len;
                PacketsSent += (ulong)n;
                sent += n;
                continue;
            }
            int errno = Marshal.GetLastPInvokeError();
            if (n < 0 && errno == Libc.EINTR)
                continue;
            // The first pending datagram failed (buffer full, ICMP error...): drop it, go on.
            SendErrors++;
            sent++;
        }
        _txCount = 0;
    }

    public void OnIoReady(IoEvents events)
    {
        for (int batch = 0; batch < MaxBatchesPerWakeup && !_closed; batch++)
        {
            for (int i = 0; i < NetIo.ReceiveBatchSize; i++)
                _io.RxHeaders[i].Hdr.NameLen = (uint)sizeof(IpEndpoint);
            int n = Sockets.RecvMMsg(_binding.Fd, _io.RxHeaders, NetIo.ReceiveBatchSize, Sockets.MSG_DONTWAIT, null);
            if (n <= 0)
            {
                if (n < 0 && Marshal.GetLastPInvokeError() == Libc.EINTR)
                    continue;
                return; // EAGAIN, or a transient error such as a reported ICMP unreachable
            }
            for (int i = 0; i < n && !_closed; i++)
            {
                int len = (int)_io.RxHeaders[i].Len;
                PacketsReceived++;
                BytesReceived += (ulong)len;
                // A datagram larger than the buffer was cut: not a packet we can use.
                if ((_io.RxHeaders[i].Hdr.Flags & 0x20 /* MSG_TRUNC */) != 0)
                    continue;
                var buffer = new Span<byte>(_io.RxBuffers + i * PacketBufferPool.BufferSize, PacketBufferPool.BufferSize);
                _listener?.OnUdpPacket(this, buffer, len, _io.RxAddrs[i]);
            }
            if (n < NetIo.ReceiveBatchSize)
                return;
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
        Flush();
        _closed = true;
        _io.Loop.Unwatch(_watch);
        Libc.Close(_binding.Fd);
        _binding.Release();
        for (int i = 0; i < SendQueueSize; i++)
        {
            if (_txBuffers[i] != null)
                _io.Pool.Return(_txBuffers[i]);
        }
        NativeMemory.Free(_txHeaders);
        NativeMemory.Free(_txIov);
        NativeMemory.Free(_txAddrs);
        NativeMemory.Free(_txBuffers);
    }
}
