using Mediasoup.Bwe;
using Xunit;

namespace Mediasoup.Tests.Bwe;

public sealed class SendHistoryTests
{
    [Fact]
    public void Unwrap_CrossesTheSixteenBitWrap_ForwardAndBackward()
    {
        var h = new SendHistory(64);
        long first = h.Add(65534, 100, 0, -1);
        long a = h.Add(65535, 100, 1, -1);
        long b = h.Add(0, 100, 2, -1);
        long c = h.Add(1, 100, 3, -1);
        Assert.Equal(first + 1, a);
        Assert.Equal(first + 2, b);
        Assert.Equal(first + 3, c);
        Assert.Equal(first + 1, h.Unwrap(65535)); // behind the highest, across the wrap
        Assert.Equal(c + 100, h.Unwrap(101));
        Assert.True(h.Contains(a));
        Assert.Equal(1, h.Get(a).SendUs);
    }

    [Fact]
    public void OldEntries_AreOverwritten_AndThenUnknown()
    {
        var h = new SendHistory(16);
        for (int i = 0; i < 40; i++)
            h.Add((ushort)i, 100 + i, i * 1000, -1);
        long newest = h.HighestSequence;
        Assert.True(h.Contains(newest - 15));
        Assert.False(h.Contains(newest - 16));
        Assert.False(h.Contains(newest + 1)); // never sent
        Assert.Equal(139, h.Get(newest).Size);
    }

    [Fact]
    public void Capacity_MustBeAPowerOfTwo() => Assert.Throws<ArgumentOutOfRangeException>(() => new SendHistory(100));
}
