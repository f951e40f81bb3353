using Mediasoup.Rtp.Streams;
using Xunit;

namespace Mediasoup.Tests.Rtp.Streams;

public sealed class RateCalculatorTests
{
    private const long Base = 12_345_678;

    private static void Check(RateCalculator rate, params (long offset, int size, long rate)[] items)
    {
        foreach (var (offset, size, expected) in items)
        {
            rate.Update(size, Base + offset);
            Assert.Equal(expected, rate.GetRate(Base + offset));
        }
        // Far in the future everything has expired.
        Assert.Equal(0, rate.GetRate(long.MaxValue));
    }

    [Fact]
    public void SingleItem() => Check(new RateCalculator(), (0, 5, 40));

    [Fact]
    public void SeveralItemsInOneWindow() =>
        Check(new RateCalculator(), (0, 5, 40), (100, 2, 56), (300, 2, 72), (999, 4, 104));

    [Fact]
    public void OneItemPerWindow() =>
        Check(new RateCalculator(1000, 8000, 100), (0, 5, 40), (1000, 5, 40), (2000, 5, 40));

    [Fact]
    public void SlidesWithFineItems() =>
        Check(new RateCalculator(1000, 8000, 1000), (0, 5, 40), (999, 2, 56), (1001, 1, 24), (1001, 1, 32), (2000, 1, 24));

    [Fact]
    public void SlidesWithCoarseItems() =>
        // 10 ms items: 1001 lands in the 999 item, which 2000 expires with it.
        Check(new RateCalculator(1000, 8000, 100), (0, 5, 40), (999, 2, 56), (1001, 1, 24), (1001, 1, 32), (2000, 1, 8));

    [Fact]
    public void RingWraps() =>
        Check(new RateCalculator(1000, 8000, 5),
            (1000, 1, 8), (1200, 1, 16), (1400, 1, 24), (1600, 1, 32), (1800, 1, 40),
            (2000, 1, 40), (2200, 1, 40), (2400, 1, 40), (2600, 1, 40), (2800, 1, 40));

    [Fact]
    public void ItemCountNotDividingTheWindow() =>
        Check(new RateCalculator(1000, 8000, 3), (0, 1, 8), (333, 1, 16), (666, 1, 24), (999, 1, 32));

    [Fact]
    public void ItemGridDoesNotDriftWithTrafficTiming()
    {
        // 100 ms items; packets at 50 ms past each item start must not stretch the window.
        var rate = new RateCalculator(1000, 8000, 10);
        for (int i = 0; i < 30; i++)
            rate.Update(100, Base + 50 + i * 100);
        // 10 items of 100 bytes in the last second at most.
        Assert.Equal(8000, rate.GetRate(Base + 50 + 29 * 100));
    }

    [Fact]
    public void SteadyBitrate()
    {
        // 1200-byte packets every 10 ms = 960 kbps.
        var rate = new RateCalculator();
        long t = Base;
        for (int i = 0; i < 500; i++, t += 10)
            rate.Update(1200, t);
        Assert.Equal(960_000, rate.GetRate(t - 10));
        Assert.Equal(600_000L, rate.Bytes);
        // It decays to zero one window after traffic stops.
        Assert.True(rate.GetRate(t + 500) < 960_000);
        Assert.Equal(0, rate.GetRate(t + 1000));
    }

    [Fact]
    public void DataOlderThanTheWindowIsIgnored()
    {
        var rate = new RateCalculator();
        rate.Update(10, Base);
        rate.Update(10, Base - 2000);
        Assert.Equal(80, rate.GetRate(Base));
        // Slightly in the past but within the window: counted.
        rate.Update(10, Base - 500);
        Assert.Equal(160, rate.GetRate(Base));
        // Asking for an old time leaves the window alone.
        Assert.Equal(160, rate.GetRate(Base - 5000));
        Assert.Equal(160, rate.GetRate(Base));
    }

    [Fact]
    public void ResetKeepsTotalBytes()
    {
        var rate = new RateCalculator();
        rate.Update(100, Base);
        rate.Reset();
        Assert.Equal(0, rate.GetRate(Base));
        Assert.Equal(100, rate.Bytes);
        rate.Update(50, Base + 1);
        Assert.Equal(400, rate.GetRate(Base + 1));
    }

    [Fact]
    public void CustomScaleAndWindow()
    {
        // Packets per second over 2.5 s: scale 1000 counts units instead of bits.
        var rate = new RateCalculator(2500, 1000, 100);
        for (int i = 0; i < 25; i++)
            rate.Update(1, Base + i * 100);
        Assert.Equal(10, rate.GetRate(Base + 2400));
    }

    [Fact]
    public void DegenerateParametersAreClamped()
    {
        var rate = new RateCalculator(0, 8000, 0);
        rate.Update(1, 5);
        Assert.Equal(8000, rate.GetRate(5));
        rate.Update(-7, 5);
        Assert.Equal(8000, rate.GetRate(5));
    }

    [Fact]
    public void DataCounterIgnoresPaddingBytesButCountsPackets()
    {
        var c = new RtpDataCounter();
        c.Update(1200, 1188, 1000);
        c.Update(250, 0, 1000);
        Assert.Equal(2, c.PacketCount);
        Assert.Equal(1200, c.Bytes);
        var all = new RtpDataCounter(ignorePaddingOnlyPackets: false);
        all.Update(250, 0, 1000);
        Assert.Equal(250, all.Bytes);
        Assert.Equal(800, all.GetBitrate(1000)); // 250 B over a 2.5 s window
    }
}
