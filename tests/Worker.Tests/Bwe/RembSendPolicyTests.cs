using Mediasoup.Bwe;
using Xunit;

namespace Mediasoup.Tests.Bwe;

public sealed class RembSendPolicyTests
{
    [Fact]
    public void Estimate_FirstAtOnceThenEverySecond()
    {
        var p = new RembSendPolicy();
        Assert.True(p.ShouldSendEstimate(0, 500_000, out ulong b));
        Assert.Equal(500_000ul, b);
        Assert.False(p.ShouldSendEstimate(500, 520_000, out _));
        Assert.False(p.ShouldSendEstimate(999, 540_000, out _));
        Assert.True(p.ShouldSendEstimate(1000, 540_000, out b));
        Assert.Equal(540_000ul, b);
    }

    [Fact]
    public void Estimate_DecreaseOverThreePercentGoesAtOnce()
    {
        var p = new RembSendPolicy();
        Assert.True(p.ShouldSendEstimate(0, 1_000_000, out _));
        // 2 % down: waits for the interval; 4 % down: now.
        Assert.False(p.ShouldSendEstimate(100, 980_000, out _));
        Assert.True(p.ShouldSendEstimate(200, 960_000, out ulong b));
        Assert.Equal(960_000ul, b);
    }

    [Fact]
    public void Estimate_IsCappedByMaxIncomingBitrateAndACapGoesAtOnce()
    {
        var p = new RembSendPolicy();
        Assert.True(p.ShouldSendEstimate(0, 1_000_000, out _));
        p.SetMaxIncomingBitrate(300_000);
        Assert.True(p.ShouldSendEstimate(10, 1_000_000, out ulong b));
        Assert.Equal(300_000ul, b);
        Assert.False(p.ShouldSendEstimate(500, 1_000_000, out _));
        // Lifted: the next periodic REMB carries the estimate again.
        p.SetMaxIncomingBitrate(0);
        Assert.True(p.ShouldSendEstimate(1010, 1_000_000, out b));
        Assert.Equal(1_000_000ul, b);
    }

    [Fact]
    public void Limit_NothingWithoutACap()
    {
        var p = new RembSendPolicy();
        for (long t = 0; t < 10_000; t += 100)
            Assert.False(p.ShouldSendLimit(t, out _));
    }

    [Fact]
    public void Limit_CapEveryOneAndAHalfSecondsLoweredAtOnceThenFourUnlimited()
    {
        var p = new RembSendPolicy();
        p.SetMaxIncomingBitrate(250_000);
        Assert.True(p.ShouldSendLimit(0, out ulong b));
        Assert.Equal(250_000ul, b);
        Assert.False(p.ShouldSendLimit(1499, out _));
        Assert.True(p.ShouldSendLimit(1500, out b));
        Assert.Equal(250_000ul, b);
        // Lowered: at once. Raised: at the next interval.
        p.SetMaxIncomingBitrate(200_000);
        Assert.True(p.ShouldSendLimit(1600, out b));
        Assert.Equal(200_000ul, b);
        p.SetMaxIncomingBitrate(400_000);
        Assert.False(p.ShouldSendLimit(1700, out _));
        Assert.True(p.ShouldSendLimit(3100, out b));
        Assert.Equal(400_000ul, b);
        // Lifted: a REMB of 0 (no limit) at once, three more at the interval, then nothing.
        p.SetMaxIncomingBitrate(0);
        int unlimited = 0;
        for (long t = 3200; t < 20_000; t += 100)
        {
            if (p.ShouldSendLimit(t, out b))
            {
                Assert.Equal(0ul, b);
                if (unlimited == 0)
                    Assert.Equal(3200, t);
                unlimited++;
            }
        }
        Assert.Equal(RembSendPolicy.UnlimitedRembCount, unlimited);
    }
}
