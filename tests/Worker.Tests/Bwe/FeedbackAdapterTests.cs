using Mediasoup.Bwe;
using Xunit;

namespace Mediasoup.Tests.Bwe;

public sealed class FeedbackAdapterTests
{
    private static (SendHistory, FeedbackAdapter) Sent(ushort firstSeq, int count, long gapUs = 1000, int size = 1200)
    {
        var h = new SendHistory(256);
        for (int i = 0; i < count; i++)
            h.Add((ushort)(firstSeq + i), size + i, 10_000_000 + i * gapUs, i % 5 == 0 ? 7 : -1);
        return (h, new FeedbackAdapter(h));
    }

    [Fact]
    public void Results_JoinSendInfo_WithArrivalTimesAndLosses()
    {
        var (h, a) = Sent(100, 6);
        byte[] fb = FeedbackTestUtil.Build(100, 64_000 * 1000, (100, 64_000_000 + 500), (101, 64_000_000 + 1750), (103, 64_000_000 + 4000), (105, 64_000_000 + 3000));
        Assert.Equal(6, FeedbackTestUtil.Process(a, fb));
        var r = a.Results.ToArray();
        Assert.Equal(4, a.NewlyReceived);
        Assert.Equal(2, a.NewlyLost);
        Assert.True(r[0].Received && r[1].Received && !r[2].Received && r[3].Received && !r[4].Received && r[5].Received);
        // Arrival differences are exact (multiples of 250 µs); the base is the receiver's clock.
        Assert.Equal(1250, r[1].ArrivalUs - r[0].ArrivalUs);
        Assert.Equal(3500, r[3].ArrivalUs - r[0].ArrivalUs);
        Assert.Equal(-1000, r[5].ArrivalUs - r[3].ArrivalUs); // reordered on the way: negative delta
        Assert.Equal(10_000_000 + 3000, r[3].SendUs);
        Assert.Equal(1203, r[3].Size);
        Assert.Equal(7, r[0].ProbeClusterId);
        Assert.Equal(-1, r[1].ProbeClusterId);
        Assert.Equal(10_000_000 + 5000, a.LatestReceivedSendUs);
    }

    [Fact]
    public void APacketReportedTwice_CountsOnce_AndALateArrivalAfterALossIsReported()
    {
        var (_, a) = Sent(100, 4);
        byte[] first = FeedbackTestUtil.Build(100, 0, (100, 1000), (102, 3000));
        Assert.Equal(3, FeedbackTestUtil.Process(a, first));
        Assert.Equal(0, FeedbackTestUtil.Process(a, first)); // the same feedback again: nothing new
        Assert.Equal(0, a.NewlyReceived + a.NewlyLost);

        // Overlapping feedback: 101 (lost before) now received, 102 again, 103 new.
        byte[] second = FeedbackTestUtil.Build(101, 0, (101, 2500), (102, 3000), (103, 4000));
        Assert.Equal(2, FeedbackTestUtil.Process(a, second));
        Assert.Equal(2, a.NewlyReceived);
        Assert.Equal(0, a.NewlyLost);
        Assert.Equal(101, a.Results[0].Sequence & 0xFFFF);
        Assert.True(a.Results[0].Received);

        // 101 reported lost after it was received: ignored.
        byte[] third = FeedbackTestUtil.Build(101, 0, (103, 4000));
        FeedbackTestUtil.Process(a, third);
        Assert.Equal(0, a.NewlyLost);
    }

    [Fact]
    public void Wrap_OfTheSequence_IsFollowed()
    {
        var (_, a) = Sent(65533, 6);
        byte[] fb = FeedbackTestUtil.Build(65533, 0, (65533, 1000), (65534, 2000), (65535, 3000), (0, 4000), (1, 5000), (2, 6000));
        Assert.Equal(6, FeedbackTestUtil.Process(a, fb));
        for (int i = 1; i < 6; i++)
        {
            Assert.Equal(a.Results[i - 1].Sequence + 1, a.Results[i].Sequence);
            Assert.Equal(1000, a.Results[i].ArrivalUs - a.Results[i - 1].ArrivalUs);
        }
    }

    [Fact]
    public void Garbage_AheadOfWhatWasSent_OrLongGone_IsIgnoredWhole()
    {
        var (h, a) = Sent(1000, 50);
        byte[] ahead = FeedbackTestUtil.Build(1040, 0, (1040, 1000), (1060, 2000)); // 1050..1060 never sent
        Assert.Equal(0, FeedbackTestUtil.Process(a, ahead));
        Assert.Equal(21, a.Unknown);
        byte[] far = FeedbackTestUtil.Build(30000, 0, (30000, 1000), (30001, 2000));
        Assert.Equal(0, FeedbackTestUtil.Process(a, far));
        // Nothing was marked: the real report of 1040 still counts.
        Assert.Equal(SentPacketState.Sent, h.Get(h.Unwrap(1040)).State);
        byte[] real = FeedbackTestUtil.Build(1040, 0, (1040, 1000));
        Assert.Equal(1, FeedbackTestUtil.Process(a, real));
    }

    [Fact]
    public void ReferenceTime_WrapsAfterTwentyFourBits()
    {
        var (_, a) = Sent(10, 2);
        const long tick = 64_000;
        long nearWrap = ((1L << 24) - 1) * tick;
        FeedbackTestUtil.Process(a, FeedbackTestUtil.Build(10, nearWrap, (10, nearWrap + 1000)));
        long first = a.Results[0].ArrivalUs;
        // The next reference time is 0 on the wire (wrapped): the arrival still follows.
        FeedbackTestUtil.Process(a, FeedbackTestUtil.Build(11, nearWrap + tick, (11, nearWrap + tick + 1000)));
        Assert.Equal(tick, a.Results[0].ArrivalUs - first);
    }
}
