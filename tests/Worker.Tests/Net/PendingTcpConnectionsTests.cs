using Mediasoup.Net;
using Xunit;

namespace Mediasoup.Tests.Net;

public sealed class PendingTcpConnectionsTests
{
    private sealed class FakeConnection(int id) : IDisposable
    {
        public readonly int Id = id;
        public bool Disposed;
        public void Dispose() => Disposed = true;
    }

    [Fact]
    public void Full_NewConnectionEvictsTheOldest_NeverRefused()
    {
        var dropped = new List<int>();
        var set = new PendingTcpConnections<FakeConnection>(3, 10_000, c => dropped.Add(c.Id), loop: null);
        var all = Enumerable.Range(0, 1000).Select(i => new FakeConnection(i)).ToList();
        foreach (FakeConnection c in all)
            set.Add(c, nowMs: 5);
        // Capacity kept; the newest three are there; everything else was disposed, oldest first.
        Assert.Equal(3, set.Count);
        Assert.True(set.Contains(all[999]) && set.Contains(all[998]) && set.Contains(all[997]));
        Assert.Equal(Enumerable.Range(0, 997), dropped);
        Assert.All(all.Take(997), c => Assert.True(c.Disposed));
        Assert.All(all.Skip(997), c => Assert.False(c.Disposed));
        Assert.Equal(997, set.Evicted);
    }

    [Fact]
    public void Identified_LeavesTheSet_AndIsNeverEvictedOrExpired()
    {
        var dropped = new List<int>();
        var set = new PendingTcpConnections<FakeConnection>(2, 1000, c => dropped.Add(c.Id), loop: null);
        var a = new FakeConnection(1);
        var b = new FakeConnection(2);
        set.Add(a, 0);
        set.Add(b, 10);
        Assert.True(set.Remove(a)); // identified
        Assert.False(set.Remove(a));
        set.Add(new FakeConnection(3), 20);
        set.Add(new FakeConnection(4), 30); // evicts b, not a
        Assert.Equal([2], dropped);
        set.Expire(5000);
        Assert.Equal([2, 3, 4], dropped);
        Assert.False(a.Disposed);
        Assert.Equal(0, set.Count);
    }

    [Fact]
    public void Expire_DropsOnlyThoseOlderThanTheTimeout()
    {
        var dropped = new List<int>();
        var set = new PendingTcpConnections<FakeConnection>(10, 1000, c => dropped.Add(c.Id), loop: null);
        for (int i = 0; i < 5; i++)
            set.Add(new FakeConnection(i), i * 300);
        set.Expire(999);
        Assert.Empty(dropped);
        set.Expire(1000);
        Assert.Equal([0], dropped);
        set.Expire(1650);
        Assert.Equal([0, 1, 2], dropped);
        Assert.Equal(2, set.Count);
        Assert.Equal(3, set.Expired);
        Assert.True(set.EvictOldest());
        Assert.Equal([0, 1, 2, 3], dropped);
    }

    [Fact]
    public void Expire_RunsOnTheLoopTimer()
    {
        using var loop = Mediasoup.Loop.EventLoop.Create(Mediasoup.Loop.LoopBackendKind.Epoll, out _);
        loop.UpdateTime();
        var dropped = new List<int>();
        var set = new PendingTcpConnections<FakeConnection>(10, 30, c => dropped.Add(c.Id), loop);
        set.Add(new FakeConnection(7));
        long deadline = Environment.TickCount64 + 5000;
        while (dropped.Count == 0 && Environment.TickCount64 < deadline)
            loop.RunOnce(10);
        Assert.Equal([7], dropped);
        Assert.Equal(0, loop.ActiveTimerCount);
    }
}
