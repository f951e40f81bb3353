using Mediasoup.Rtp.Streams;
using Xunit;

namespace Mediasoup.Tests.Rtp.Streams;

public sealed class TimestampRewriterTests
{
    [Fact]
    public void RewriteSubtractsTheOffsetWithWrap()
    {
        var r = new TimestampRewriter { Offset = 100 };
        Assert.Equal(900u, r.Rewrite(1000));
        Assert.Equal(0xFFFF_FFB0u, r.Rewrite(20));
    }

    [Fact]
    public void SwitchAheadOfWhatWasSentKeepsTheBaseOffset()
    {
        var r = new TimestampRewriter();
        Assert.Equal(TimestampSwitchResult.Switched, r.Switch(50_000, 10_000, 39_000, 90000, false));
        Assert.Equal(10_000u, r.Offset);
        Assert.Equal(40_000u, r.Rewrite(50_000));
    }

    [Fact]
    public void SwitchBehindAddsOneFrameAfterTheNewest()
    {
        var r = new TimestampRewriter();
        // Candidate 40_000 but 41_000 already sent: output continues at 41_000 + 33 ms.
        Assert.Equal(TimestampSwitchResult.Switched, r.Switch(50_000, 10_000, 41_000, 90000, false));
        Assert.Equal(41_000u + 2970, r.Rewrite(50_000));
        // Equal to the newest counts as behind too.
        var e = new TimestampRewriter();
        e.Switch(50_000, 10_000, 40_000, 90000, false);
        Assert.Equal(40_000u + 2970, e.Rewrite(50_000));
    }

    [Fact]
    public void TooFarBehindAsksForAKeyFrameThenGivesUp()
    {
        var r = new TimestampRewriter { Offset = 7 };
        // 75 ms at 90 kHz is 6750 ticks; this needs 10_000 + 2970.
        Assert.Equal(TimestampSwitchResult.NeedKeyFrame, r.Switch(50_000, 10_000, 50_000, 90000, false));
        Assert.Equal(7u, r.Offset);
        Assert.Equal(TimestampSwitchResult.Switched, r.Switch(50_000, 10_000, 50_000, 90000, true));
        Assert.Equal(40_001u, r.Rewrite(50_000));
    }

    [Fact]
    public void SwitchAcrossTimestampWrap()
    {
        var r = new TimestampRewriter();
        // Newest sent just before the wrap, candidate just after it: ahead, no extra.
        Assert.Equal(TimestampSwitchResult.Switched, r.Switch(100, 0, 0xFFFF_FF00, 90000, false));
        Assert.Equal(0u, r.Offset);
    }

    [Fact]
    public void CaptureAlignedOffset()
    {
        // Reference stream: ts 1000 captured at 10 s. Other stream: ts 500_000 captured at
        // 10.1 s, i.e. 9000 ticks later: aligned ts 491_000 corresponds to ts 1000.
        uint off = TimestampRewriter.CaptureAlignedOffset(10_000_000, 1000, 10_100_000, 500_000, 90000);
        Assert.Equal(490_000u, off);
        var r = new TimestampRewriter { Offset = off };
        Assert.Equal(1000u + 9000, r.Rewrite(500_000));
    }
}
