using Mediasoup.Bwe;
using Xunit;

namespace Mediasoup.Tests.Bwe;

public class AimdRateControlTests
{
    [Fact]
    public void OverUse_DropsToTheAckedRate_ButAtMostHalvesTheEstimate_OncePerRoundTrip()
    {
        var aimd = new AimdRateControl(600_000, 10_000, 0) { RttUs = 50_000 };
        aimd.SetEstimate(216_000, 1_000_000);
        // An acked rate far below the estimate (seen: 26 k on a link just lifted from 400 k): half, not 22 k.
        aimd.Update(BandwidthUsage.Overusing, 26_000, 170_000, false, 1_000_000);
        Assert.Equal(108_000, aimd.EstimateBps);
        // Still over-used within the round trip: no further step yet.
        aimd.Update(BandwidthUsage.Overusing, 26_000, 170_000, false, 1_030_000);
        Assert.Equal(108_000, aimd.EstimateBps);
        // A round trip later it may halve again.
        aimd.Update(BandwidthUsage.Overusing, 26_000, 170_000, false, 1_060_000);
        Assert.Equal(54_000, aimd.EstimateBps);
        // An ordinary over-use goes to 0.85 × the acked rate.
        aimd.SetEstimate(500_000, 2_000_000);
        aimd.Update(BandwidthUsage.Overusing, 400_000, 500_000, false, 2_000_000);
        Assert.Equal(340_000, aimd.EstimateBps);
    }

    [Fact]
    public void OverUse_OnAFullLink_TakesTheRecentRate_WhenItIsAboveTheHalfSecondOne()
    {
        // A climb's trial padding filled an 800 k link for a quarter second after half a second
        // at 400 k: the half-second window reads 570 k, the last quarter second 800 k.
        var aimd = new AimdRateControl(600_000, 10_000, 0) { RttUs = 50_000 };
        aimd.SetEstimate(968_000, 1_000_000);
        aimd.Update(BandwidthUsage.Overusing, 570_000, 650_000, false, 1_000_000, recentAckedBps: 800_000);
        Assert.Equal(680_000, aimd.EstimateBps);
        Assert.Equal(800_000, aimd.Link.EstimateBps);
        // Without a recent reading it falls back to the window.
        var old = new AimdRateControl(600_000, 10_000, 0) { RttUs = 50_000 };
        old.SetEstimate(968_000, 1_000_000);
        old.Update(BandwidthUsage.Overusing, 570_000, 650_000, false, 1_000_000);
        Assert.Equal(484_500, old.EstimateBps);
        // A quarter second that reads less than the window (a shaper's queue draining) does not
        // take it lower: 0.85 × the window's 400 k, not 0.85 × 90 k (nor half of 500 k).
        var drain = new AimdRateControl(600_000, 10_000, 0) { RttUs = 50_000 };
        drain.SetEstimate(500_000, 1_000_000);
        drain.Update(BandwidthUsage.Overusing, 400_000, 170_000, false, 1_000_000, recentAckedBps: 90_000);
        Assert.Equal(340_000, drain.EstimateBps);
    }
}
