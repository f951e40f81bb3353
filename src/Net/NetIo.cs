using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using Mediasoup.Interop.Libc;
using Mediasoup.Loop;

namespace Mediasoup.Net;

/// <summary>
/// One worker's datagram machinery: the packet buffer pool, a receive batch shared by all
/// sockets (packets are handled before the next receive, so one area serves every socket),
/// and the list of sockets with queued sends, flushed once per loop iteration with sendmmsg.
/// </summary>
public sealed unsafe class NetIo : IDisposable
{
    public const int ReceiveBatchSize = 32;

    private readonly List<UdpSocket> _pendingFlush = new();
    private bool _disposed;

    public NetIo(EventLoop loop)
    {
        Loop = loop;
        RxHeaders = (Sockets.MMsgHdr*)NativeMemory.AllocZeroed((nuint)(ReceiveBatchSize * sizeof(Sockets.MMsgHdr)));
        RxIov = (Sockets.IoVec*)NativeMemory.AllocZeroed((nuint)(ReceiveBatchSize * sizeof(Sockets.IoVec)));
        RxAddrs = (IpEndpoint*)NativeMemory.AllocZeroed((nuint)(ReceiveBatchSize * sizeof(IpEndpoint)));
        RxBuffers = (byte*)NativeMemory.AlignedAlloc(ReceiveBatchSize * PacketBufferPool.BufferSize, 64);
        for (int i = 0; i < ReceiveBatchSize; i++)
        {
            RxIov[i].Base = RxBuffers + i * PacketBufferPool.BufferSize;
            RxIov[i].Length = PacketBufferPool.BufferSize;
            RxHeaders[i].Hdr.Iov = &RxIov[i];
            RxHeaders[i].Hdr.IovLen = 1;
            RxHeaders[i].Hdr.Name = &RxAddrs[i];
        }
        loop.AddIterationEndHook(FlushAll);
    }

    public EventLoop Loop { get; }

    private int _nextSocketId;

    /// <summary>Worker-unique id for a socket or connection (ICE tuples refer to them by id).</summary>
    public int NextSocketId() => ++_nextSocketId;

    public PacketBufferPool Pool { get; } = new();

    internal Sockets.MMsgHdr* RxHeaders { get; }
    internal Sockets.IoVec* RxIov { get; }
    internal IpEndpoint* RxAddrs { get; }
    internal byte* RxBuffers { get; }

    /// <summary>Called by a socket when its send queue goes from empty to non-empty.</summary>
    internal void ScheduleFlush(UdpSocket socket) => _pendingFlush.Add(socket);

    /// <summary>Sends everything queued this iteration.</summary>
    public void FlushAll()
    {
        // Index loop: a flush never schedules another, but sockets may close meanwhile.
        for (int i = 0; i < _pendingFlush.Count; i++)
            _pendingFlush[i].Flush();
        _pendingFlush.Clear();
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        NativeMemory.Free(RxHeaders);
        NativeMemory.Free(RxIov);
        NativeMemory.Free(RxAddrs);
        NativeMemory.AlignedFree(RxBuffers);
        Pool.Dispose();
    }
}
