using Mediasoup.Bwe;
using Xunit;

namespace Mediasoup.Tests.Bwe;

public sealed class RemoteStreamSsrcsTests
{
    [Fact]
    public void SilentStreamsDropOut()
    {
        var s = new RemoteStreamSsrcs();
        s.Seen(1, 0);
        s.Seen(2, 1_000_000);
        s.Seen(1, 1_500_000);
        var dst = new uint[RemoteStreamSsrcs.Capacity];
        Assert.Equal(2, s.CopyActive(dst, 2_000_000));
        // 2 was last heard at 1 s: gone after 3 s; 1 stays.
        Assert.Equal(1, s.CopyActive(dst, 3_000_001));
        Assert.Equal(1u, dst[0]);
    }

    [Fact]
    public void FullTable_TheLongestSilentMakesRoom()
    {
        var s = new RemoteStreamSsrcs();
        for (uint i = 0; i < RemoteStreamSsrcs.Capacity; i++)
            s.Seen(100 + i, i);
        s.Seen(100, 1000); // refreshed: now 101 is the oldest
        s.Seen(999, 2000);
        var dst = new uint[RemoteStreamSsrcs.Capacity];
        int n = s.CopyActive(dst, 3000);
        Assert.Equal(RemoteStreamSsrcs.Capacity, n);
        Assert.Contains(999u, dst);
        Assert.Contains(100u, dst);
        Assert.DoesNotContain(101u, dst);
    }
}
