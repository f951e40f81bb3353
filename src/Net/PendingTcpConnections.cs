using System;
using System.Collections.Generic;
using Mediasoup.Loop;

namespace Mediasoup.Net;

/// <summary>
/// Accepted TCP connections that have not yet identified themselves (no valid STUN request
/// yet), oldest first. Bounded so idle connections cannot exhaust the worker, and never
/// starved: when full, a new connection evicts the oldest unidentified one instead of being
/// refused, so an attacker holding connections open cannot lock new ICE-TCP clients out (a
/// real client sends its STUN request within a round trip of connecting). Each also expires
/// after <see cref="TimeoutMs"/> without identifying. Evicted and expired connections are
/// disposed and reported to <c>onDropped</c> (owners forget them there).
/// </summary>
public sealed class PendingTcpConnections<T> : IDisposable where T : class, IDisposable
{
    private readonly List<(T Connection, long AcceptedMs)> _items = new();
    private readonly Action<T> _onDropped;
    private readonly LoopTimer? _timer;
    private readonly EventLoop? _loop;

    /// <param name="loop">Drives the expiry timer; null: the owner calls <see cref="Expire"/>.</param>
    public PendingTcpConnections(int capacity, long timeoutMs, Action<T> onDropped, EventLoop? loop)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(timeoutMs);
        Capacity = capacity;
        TimeoutMs = timeoutMs;
        _onDropped = onDropped;
        _loop = loop;
        if (loop != null)
            _timer = loop.CreateTimer(() => Expire(loop.NowMs));
    }

    public int Capacity { get; }
    public long TimeoutMs { get; }
    public int Count => _items.Count;
    /// <summary>Connections dropped to make room for a newer one.</summary>
    public long Evicted { get; private set; }
    /// <summary>Connections dropped for never identifying within the timeout.</summary>
    public long Expired { get; private set; }

    public bool Contains(T connection) => IndexOf(connection) >= 0;

    /// <summary>Adds a new connection, evicting the oldest first when full.</summary>
    public void Add(T connection, long nowMs)
    {
        while (_items.Count >= Capacity)
            EvictOldest();
        _items.Add((connection, nowMs));
        if (_items.Count == 1)
            ArmTimer(nowMs);
    }

    /// <summary>Drops the oldest pending connection to make room; false if there is none.</summary>
    public bool EvictOldest()
    {
        if (_items.Count == 0)
            return false;
        T oldest = _items[0].Connection;
        _items.RemoveAt(0);
        if (_items.Count == 0)
            _timer?.Stop();
        Evicted++;
        Drop(oldest);
        return true;
    }

    /// <summary>Adds with the loop's clock.</summary>
    public void Add(T connection) => Add(connection, _loop?.NowMs ?? throw new InvalidOperationException("no loop"));

    /// <summary>The connection identified itself or closed: it is no longer pending. False if it was not.</summary>
    public bool Remove(T connection)
    {
        int i = IndexOf(connection);
        if (i < 0)
            return false;
        _items.RemoveAt(i);
        if (_items.Count == 0)
            _timer?.Stop();
        return true;
    }

    /// <summary>Drops every connection pending for <see cref="TimeoutMs"/> or longer at <paramref name="nowMs"/>.</summary>
    public void Expire(long nowMs)
    {
        while (_items.Count > 0 && nowMs - _items[0].AcceptedMs >= TimeoutMs)
        {
            T oldest = _items[0].Connection;
            _items.RemoveAt(0);
            Expired++;
            Drop(oldest);
        }
        if (_items.Count > 0)
            ArmTimer(nowMs);
    }

    /// <summary>Disposes every pending connection without reporting them.</summary>
    public void Dispose()
    {
        _timer?.Stop();
        foreach ((T c, _) in _items)
            c.Dispose();
        _items.Clear();
    }

    private void Drop(T connection)
    {
        connection.Dispose();
        _onDropped(connection);
    }

    private void ArmTimer(long nowMs) =>
        _timer?.Start(Math.Max(_items[0].AcceptedMs + TimeoutMs - nowMs, 1));

    private int IndexOf(T connection)
    {
        for (int i = 0; i < _items.Count; i++)
        {
            if (ReferenceEquals(_items[i].Connection, connection))
                return i;
        }
        return -1;
    }
}
