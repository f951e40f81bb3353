using Mediasoup.Bwe;
using Xunit;

namespace Mediasoup.Tests.Bwe;

public sealed class TrendlineEstimatorTests
{
    private static BandwidthUsage Feed(double extraDelayPerGroupMs, int groups)
    {
        var t = new TrendlineEstimator();
        long arrival = 0;
        for (int i = 0; i < groups; i++)
        {
            long arrivalDelta = 10_000 + (long)(extraDelayPerGroupMs * 1000);
            arrival += arrivalDelta;
            t.Update(new InterArrivalDelta(10_000, arrivalDelta, 0, arrival));
        }
        return t.State;
    }

    [Fact]
    public void GrowingQueue_IsOveruse_DrainingIsUnderuse_FlatIsNormal()
    {
        Assert.Equal(BandwidthUsage.Overusing, Feed(1.0, 60));
        Assert.Equal(BandwidthUsage.Underusing, Feed(-1.0, 60));
        Assert.Equal(BandwidthUsage.Normal, Feed(0, 60));
    }

    [Fact]
    public void InterArrival_GroupsBurstsAndIgnoresReorderedPackets()
    {
        var ia = new InterArrival();
        var deltas = new List<InterArrivalDelta>();
        void Add(long send, long arrival)
        {
            if (ia.Add(send, arrival, 100, out InterArrivalDelta d))
                deltas.Add(d);
        }
        Add(0, 100_000);
        Add(2_000, 102_000);       // same group (sent within 5 ms)
        Add(10_000, 111_000);
        Add(5_000, 111_500);       // sent before the current group: ignored
        Add(20_000, 125_000);
        Assert.Single(deltas);
        Assert.Equal(8_000, deltas[0].SendDeltaUs);   // 10 ms − 2 ms
        Assert.Equal(9_000, deltas[0].ArrivalDeltaUs); // 111 − 102 ms
        Add(30_000, 136_000);
        Assert.Equal(2, deltas.Count);
        Assert.Equal(10_000, deltas[1].SendDeltaUs);
        Assert.Equal(14_000, deltas[1].ArrivalDeltaUs);
    }
}
