using Mediasoup.Rtp.Streams;
using Xunit;

namespace Mediasoup.Tests.Rtp.Streams;

public sealed class RtcpTimingTests
{
    [Fact]
    public void CompactNtpIsTheMiddle32Bits()
    {
        Assert.Equal(0x56789ABCu, RtcpTiming.Compact(0x12345678, 0x9ABCDEF0));
        // 1.5 s since the epoch.
        Assert.Equal(0x0001_8000u, RtcpTiming.CompactFromUs(1_500_000));
    }

    [Fact]
    public void NtpRoundTrip()
    {
        RtcpTiming.ToNtp(3_912_345_678_901_234, out uint s, out uint f);
        Assert.Equal(3_912_345_678u, s);
        long back = RtcpTiming.NtpToUs(s, f);
        Assert.InRange(back, 3_912_345_678_901_233, 3_912_345_678_901_235);
    }

    [Fact]
    public void DelayInSixtyFourThousandthsOfASecond()
    {
        Assert.Equal(0x0001_8000u, RtcpTiming.DelayToCompact(1_500_000));
        Assert.Equal(0u, RtcpTiming.DelayToCompact(-5));
        Assert.Equal(65u, RtcpTiming.DelayToCompact(1000)); // 1 ms = 65.536 units
    }

    [Fact]
    public void RoundTripTime()
    {
        // Our SR at 10.0 s, held 0.5 s by the peer, RR back at 10.6 s: 100 ms.
        uint lsr = RtcpTiming.CompactFromUs(10_000_000);
        uint dlsr = RtcpTiming.DelayToCompact(500_000);
        uint arrival = RtcpTiming.CompactFromUs(10_600_000);
        Assert.Equal(100f, RtcpTiming.RttMs(arrival, lsr, dlsr), 1);
        // Peer has not seen an SR yet, or nonsense values.
        Assert.Equal(0f, RtcpTiming.RttMs(arrival, 0, dlsr));
        Assert.Equal(0f, RtcpTiming.RttMs(arrival, lsr, 0));
        Assert.Equal(0f, RtcpTiming.RttMs(lsr, lsr, dlsr));
    }
}
