using System;
using System.Collections.Generic;
using Mediasoup.Loop;

namespace Mediasoup.Net;

/// <summary>
/// One worker's datagram machinery: the packet buffer pool, the datagram I/O strategy for
/// the loop's backend (io_uring receives and sends when the loop runs on io_uring and the
/// ring accepts them, else readiness with recvmmsg/sendmmsg), and the list of sockets with
/// queued sends, flushed once per loop iteration.
/// </summary>
public sealed class NetIo : IDisposable
{
    private readonly List<UdpSocket> _pendingFlush = new();
    private bool _disposed;

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
    }
}
