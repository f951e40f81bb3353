using System;
using Mediasoup.Bwe;
using Xunit;

namespace Mediasoup.Tests.Bwe;

public class AcknowledgedBitrateEstimatorTests
{
    // One feedback per 50 ms, 1000-byte packets spaced to give the rate asked for.
    private static long Feed(AcknowledgedBitrateEstimator e, ref long seq, ref long t, long bps, long durationUs)
    {
        var batch = new PacketResult[64];
        long end = t + durationUs;
        long gapUs = 1000 * 8_000_000L / bps;
        while (t < end)
        {
            int n = 0;
            long until = t + 50_000;
            for (; t < until && n < batch.Length; t += gapUs)
                batch[n++] = new PacketResult(seq++, t, t, 1000, -1, true);
            e.Update(batch.AsSpan(0, n));
        }
        return e.BitrateBps;
    }

    [Fact]
    public void TheRecentRate_FollowsAChangeWithinAQuarterSecond_TheWindowLags()
    {
        var e = new AcknowledgedBitrateEstimator();
        long seq = 0, t = 0;
        Feed(e, ref seq, ref t, 400_000, 2_000_000);
        Assert.InRange(e.BitrateBps, 380_000, 420_000);
        Assert.InRange(e.RecentBitrateBps, 380_000, 420_000);
        // 300 ms at 800 k: the last quarter second reads 800 k, the half second in between.
        Feed(e, ref seq, ref t, 800_000, 300_000);
        Assert.InRange(e.RecentBitrateBps, 760_000, 840_000);
        Assert.InRange(e.BitrateBps, 560_000, 720_000);
    }
}
