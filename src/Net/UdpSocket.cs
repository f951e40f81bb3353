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
/// A bound, non-blocking UDP socket on the worker's loop. How datagrams are received and
/// how the queued sends leave (once per loop iteration, in batches) is the business of the
/// worker's <see cref="IDatagramIo"/>; sends are queued into pooled buffers. No allocation
/// per datagram.
/// </summary>
public sealed unsafe class UdpSocket : IDisposable
{
    internal const int SendQueueSize = 64;

    private readonly NetIo _io;
    private readonly PortManager.Binding _binding;
    private IUdpSocketListener? _listener;
    private bool _closed;

    // The send queue: entry i is datagram i of this iteration. A null buffer is rented on
    // first use; the datagram I/O either leaves it in place once sent or takes it away.
    internal readonly Sockets.MMsgHdr* TxHeaders;
    internal readonly Sockets.IoVec* TxIov;
    internal readonly IpEndpoint* TxAddrs;
    internal readonly byte** TxBuffers;
    internal int TxCount;

    /// <summary>Set when the kernel refused a GSO message on this socket's route: plain sends from then on.</summary>
    internal bool GsoRefused;

    /// <summary>Messages that carried more than one datagram (UDP GSO); for tests and dumps.</summary>
    internal ulong GsoMessagesSent;

    internal NetIo Io => _io;

    /// <summary>The readiness watch, when receives are readiness-driven.</summary>
    internal IoWatch? Watch;

    /// <summary>The io_uring datagram I/O's registration token (0: none).</summary>
    internal ulong UringToken;

    /// <summary>io_uring receive errors in a row (a socket that keeps failing goes back to readiness).</summary>
    internal int UringErrors;

    public UdpSocket(NetIo io, PortManager.Binding binding, IUdpSocketListener? listener)
    {
        _io = io;
        _binding = binding;
        _listener = listener;
        TxHeaders = (Sockets.MMsgHdr*)NativeMemory.AllocZeroed((nuint)(SendQueueSize * sizeof(Sockets.MMsgHdr)));
        TxIov = (Sockets.IoVec*)NativeMemory.AllocZeroed((nuint)(SendQueueSize * sizeof(Sockets.IoVec)));
        TxAddrs = (IpEndpoint*)NativeMemory.AllocZeroed((nuint)(SendQueueSize * sizeof(IpEndpoint)));
        TxBuffers = (byte**)NativeMemory.AllocZeroed((nuint)(SendQueueSize * sizeof(byte*)));
        for (int i = 0; i < SendQueueSize; i++)
        {
            TxHeaders[i].Hdr.Iov = &TxIov[i];
            TxHeaders[i].Hdr.IovLen = 1;
            TxHeaders[i].Hdr.Name = &TxAddrs[i];
        }
        Id = io.NextSocketId();
        io.Datagrams.Open(this);
    }

    /// <summary>Worker-unique id (see <see cref="NetIo.NextSocketId"/>).</summary>
    public int Id { get; }

    public IpEndpoint Local => _binding.Local;

    public int Fd => _binding.Fd;

    public bool IsClosed => _closed;

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
        if (TxCount == SendQueueSize)
            Flush();
        byte* buf = TxBuffers[TxCount];
        if (buf == null)
            TxBuffers[TxCount] = buf = _io.Pool.Rent();
        return new Span<byte>(buf, PacketBufferPool.BufferSize);
    }

    public void CommitSend(int length, in IpEndpoint remote)
    {
        if (_closed)
            return;
        int i = TxCount;
        TxIov[i].Base = TxBuffers[i];
        TxIov[i].Length = (nuint)length;
        TxAddrs[i] = remote;
        TxHeaders[i].Hdr.NameLen = (uint)remote.SockAddrLength;
        if (TxCount++ == 0)
            _io.ScheduleFlush(this);
    }

    /// <summary>Sends the queue now (the loop does it at the end of each iteration).</summary>
    public void Flush()
    {
        if (TxCount > 0 && !_closed)
            _io.Datagrams.Send(this);
        TxCount = 0;
    }

    /// <summary>A received datagram, from the datagram I/O. One cut to fit the buffer is
    /// counted but not delivered: not a packet anyone can use.</summary>
    internal void Deliver(Span<byte> buffer, int length, in IpEndpoint remote, bool truncated)
    {
        PacketsReceived++;
        BytesReceived += (ulong)length;
        if (!truncated)
            _listener?.OnUdpPacket(this, buffer, length, remote);
    }

    internal void CountSent(int bytes)
    {
        PacketsSent++;
        BytesSent += (ulong)bytes;
    }

    internal void CountSendError() => SendErrors++;

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
        _io.Datagrams.Close(this);
        Libc.Close(_binding.Fd);
        _binding.Release();
        for (int i = 0; i < SendQueueSize; i++)
        {
            if (TxBuffers[i] != null)
                _io.Pool.Return(TxBuffers[i]);
        }
        NativeMemory.Free(TxHeaders);
        NativeMemory.Free(TxIov);
        NativeMemory.Free(TxAddrs);
        NativeMemory.Free(TxBuffers);
    }
}
