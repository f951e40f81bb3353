using Mediasoup.Rtp.Streams;
using Xunit;

namespace Mediasoup.Tests.Rtp.Streams;

public sealed class KeyFrameRequestManagerTests
{
    private readonly uint[] _out = new uint[8];

    // Runs the manager's timers from 'from' to 'to' at their deadlines; returns (time, ssrc).
    private List<(long, uint)> Advance(KeyFrameRequestManager m, long to)
    {
        var fired = new List<(long, uint)>();
        while (m.NextDeadlineMs <= to)
        {
            long t = m.NextDeadlineMs;
            int n = m.OnTimer(t, _out);
            for (int i = 0; i < n; i++)
                fired.Add((t, _out[i]));
        }
        return fired;
    }

    [Fact]
    public void RequestIsRetriedOnceAfterOneSecond()
    {
        var m = new KeyFrameRequestManager(0);
        Assert.True(m.KeyFrameNeeded(1111, 0));
        Assert.True(m.IsPending(1111));
        // Further needs while pending are folded into the retry.
        Assert.False(m.KeyFrameNeeded(1111, 300));
        Assert.Equal(new[] { (1000L, 1111u) }, Advance(m, 10_000));
        Assert.False(m.IsPending(1111));
        Assert.Equal(long.MaxValue, m.NextDeadlineMs);
    }

    [Fact]
    public void ReceivedKeyFrameCancelsTheRetry()
    {
        var m = new KeyFrameRequestManager(0);
        Assert.True(m.KeyFrameNeeded(1, 0));
        m.KeyFrameReceived(1);
        Assert.Empty(Advance(m, 10_000));
        Assert.True(m.KeyFrameNeeded(1, 20_000));
    }

    [Fact]
    public void KeyFrameForAnotherSsrcDoesNotCancel()
    {
        var m = new KeyFrameRequestManager(0);
        m.KeyFrameNeeded(1, 0);
        Assert.True(m.KeyFrameNeeded(2, 100));
        m.KeyFrameReceived(2);
        Assert.Equal(new[] { (1000L, 1u) }, Advance(m, 10_000));
    }

    [Fact]
    public void ForcedRequestsAlwaysGoOutAndRestartTheWait()
    {
        var m = new KeyFrameRequestManager(0);
        Assert.True(m.KeyFrameNeeded(7, 0));
        m.ForceKeyFrameNeeded(7, 600);
        // The retry moved to 1600.
        Assert.Equal(new[] { (1600L, 7u) }, Advance(m, 10_000));
    }

    [Fact]
    public void DelayFoldsRequestsIntoOneAtTheEndOfTheDelay()
    {
        var m = new KeyFrameRequestManager(500);
        Assert.True(m.KeyFrameNeeded(9, 0));
        Assert.False(m.KeyFrameNeeded(9, 100));
        Assert.False(m.KeyFrameNeeded(9, 200));
        // The key frame arrives, then the delay ends with a request pending: ask again then.
        m.KeyFrameReceived(9);
        Assert.Equal(new[] { (500L, 9u) }, Advance(m, 999));
        // That request has its own retry a second later.
        Assert.Equal(new[] { (1500L, 9u) }, Advance(m, 10_000));
    }

    [Fact]
    public void DelayedRequestWhilePendingOnlyArmsTheRetry()
    {
        var m = new KeyFrameRequestManager(500);
        Assert.True(m.KeyFrameNeeded(9, 0));
        Assert.False(m.KeyFrameNeeded(9, 100));
        // 500: delay ends, but the first request is still pending: nothing new goes out;
        // 1000: the pending one is retried.
        Assert.Equal(new[] { (1000L, 9u) }, Advance(m, 10_000));
    }

    [Fact]
    public void WithoutFurtherNeedsTheDelayJustExpires()
    {
        var m = new KeyFrameRequestManager(500);
        Assert.True(m.KeyFrameNeeded(3, 0));
        m.KeyFrameReceived(3);
        Assert.Empty(Advance(m, 10_000));
        Assert.True(m.KeyFrameNeeded(3, 10_001));
    }

    [Fact]
    public void ForcedRequestsRestartTheDelay()
    {
        var m = new KeyFrameRequestManager(500);
        m.ForceKeyFrameNeeded(4, 0);
        m.KeyFrameReceived(4);
        Assert.False(m.KeyFrameNeeded(4, 400)); // inside the delay
        m.ForceKeyFrameNeeded(4, 450);          // restarts the delay to 950, forgets the need
        m.KeyFrameReceived(4);
        Assert.Empty(Advance(m, 10_000));
    }

    [Fact]
    public void ManySsrcsAndRemoval()
    {
        var m = new KeyFrameRequestManager(0);
        for (uint s = 1; s <= 10; s++)
            Assert.True(m.KeyFrameNeeded(s, s));
        m.Remove(5);
        var fired = Advance(m, 5000);
        Assert.Equal(9, fired.Count);
        Assert.DoesNotContain(fired, f => f.Item2 == 5);
        Assert.Equal(Enumerable.Range(1, 10).Where(i => i != 5).Select(i => (1000L + i, (uint)i)), fired);
    }

    [Fact]
    public void EarlyTimerCallsDoNothing()
    {
        var m = new KeyFrameRequestManager(0);
        m.KeyFrameNeeded(1, 0);
        Assert.Equal(0, m.OnTimer(999, _out));
        Assert.Equal(1, m.OnTimer(1000, _out));
    }

    [Fact]
    public void RequestsThatDoNotFitWaitForTheNextCall()
    {
        var m = new KeyFrameRequestManager(0);
        m.KeyFrameNeeded(1, 0);
        m.KeyFrameNeeded(2, 0);
        Span<uint> one = stackalloc uint[1];
        Assert.Equal(1, m.OnTimer(1000, one));
        Assert.Equal(1u, one[0]);
        Assert.Equal(1000, m.NextDeadlineMs);
        Assert.Equal(1, m.OnTimer(1000, one));
        Assert.Equal(2u, one[0]);
        Assert.Equal(0, m.OnTimer(1000, Span<uint>.Empty));
    }
}
