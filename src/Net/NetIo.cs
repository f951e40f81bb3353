using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using Mediasoup.Interop.Libc;
using Mediasoup.Loop;

namespace Mediasoup.Net;

/// <summary>
/// One worker's datagram machinery: the packet buffer pool, the datagram I/O strategy for
/// the loop's backend (io_uring receives and sends when the loop runs on io_uring and the
/// ring accepts them, else readiness with recvmmsg/sendmmsg), and the list of sockets with
/// queued sends, flushed once per loop iteration.
/// </summary>
public sealed unsafe class NetIo : IDisposable
{
    private readonly List<UdpSocket> _pendingFlush = new();
    private bool _disposed;

    // Scratch for one socket's flush at a time: a message header and a UDP_SEGMENT control
    // block per run of datagrams (see UdpGsoPlanner).
    internal readonly Sockets.MMsgHdr* GsoHeaders =
        (Sockets.MMsgHdr*)NativeMemory.AllocZeroed((nuint)(UdpSocket.SendQueueSize * sizeof(Sockets.MMsgHdr)));
    internal readonly byte* GsoControl =
        (byte*)NativeMemory.AllocZeroed((nuint)(UdpSocket.SendQueueSize * Sockets.CMsgSpaceUInt16));

    /// <param name="uringSendRequests">On io_uring, send each datagram as a sendmsg request on the
    /// ring instead of sendmmsg per socket (see <see cref="UringDatagramIo.TryCreate"/>).</param>
    public NetIo(EventLoop loop, bool uringSendRequests = false)
    {
        Loop = loop;
        UringDatagramIo? uring = loop.Uring is { } backend ? UringDatagramIo.TryCreate(loop, backend, Pool, uringSendRequests) : null;
        Datagrams = uring ?? (IDatagramIo)new ReadinessDatagramIo(loop);
        loop.AddIterationEndHook(FlushAll);
    }

    public EventLoop Loop { get; }

    /// <summary>
    /// Send runs of equal-sized datagrams to one remote as one UDP GSO message (on by default;
    /// MEDIASOUP_WORKER_UDP_GSO=0 turns it off). A socket whose route refuses GSO falls back alone.
    /// </summary>
    public bool UseGso { get; set; } = true;

    private int _nextSocketId;

    /// <summary>Worker-unique id for a socket or connection (ICE tuples refer to them by id).</summary>
    public int NextSocketId() => ++_nextSocketId;

    public PacketBufferPool Pool { get; } = new();

    internal IDatagramIo Datagrams { get; }

    /// <summary>Which datagram I/O runs (for logs and tests).</summary>
    public string DatagramIoName => Datagrams.Name;

    /// <summary>Called by a socket when its send queue goes from empty to non-empty.</summary>
    internal void ScheduleFlush(UdpSocket socket) => _pendingFlush.Add(socket);

    /// <summary>Sends everything queued this iteration.</summary>
    public void FlushAll()
    {
        // Index loop: a flush never schedules another, but sockets may close meanwhile.
        for (int i = 0; i < _pendingFlush.Count; i++)
            _pendingFlush[i].Flush();
        _pendingFlush.Clear();
        Datagrams.EndIteration();
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        Datagrams.Dispose();
        Pool.Dispose();
        NativeMemory.Free(GsoHeaders);
        NativeMemory.Free(GsoControl);
    }
}
