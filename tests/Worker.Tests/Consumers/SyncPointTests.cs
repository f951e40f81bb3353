using Mediasoup.Consumers;
using Xunit;

namespace Mediasoup.Tests.Consumers;

public sealed class SyncPointTests
{
    [Fact]
    public void PacketsBeforeThePoint_AreBefore_AndThePointFollowsTheStream()
    {
        var p = new SyncPoint();
        p.Set(65000);
        Assert.True(p.IsBefore(64999));
        Assert.False(p.IsBefore(65000));
        Assert.False(p.IsBefore(100)); // across the wrap
        // The stream moves on by more than half the sequence space: still after the point.
        for (int i = 0; i < 70_000; i += 100)
            Assert.False(p.IsBefore((ushort)(65000 + i)));
        ushort newest = unchecked((ushort)(65000 + 69_900));
        // Reordering within the trail is still accepted; far older than the trail is not.
        Assert.False(p.IsBefore((ushort)(newest - SyncPoint.MaxTrail)));
        Assert.True(p.IsBefore((ushort)(newest - SyncPoint.MaxTrail - 1)));
    }
}
