using Mediasoup.Rtcp;
using Xunit;
using static Mediasoup.Tests.Rtcp.RtcpTestUtil;

namespace Mediasoup.Tests.Rtcp;

public sealed class NtpTests
{
    [Fact]
    public void Rtt_Rfc3550Figure2Example()
    {
        // RFC 3550 §6.4.1, Figure 2: A = 0xb710:8000 (46864.500 s), LSR = 0xb705:2000
        // (46853.125 s), DLSR = 0x0005:4000 (5.250 s) → RTT 0x0006:2000 (6.125 s).
        Assert.True(Ntp.TryComputeRtt(0xB7108000, 0xB7052000, 0x00054000, out uint rtt));
        Assert.Equal(0x00062000u, rtt);
        Assert.Equal(6125.0, Ntp.CompactToMilliseconds(rtt));
        Assert.Equal(6_125_000, Ntp.CompactToMicroseconds(rtt));
    }

    [Fact]
    public void Rtt_EdgeCases()
    {
        Assert.False(Ntp.TryComputeRtt(0xB7108000, 0, 0x00054000, out _));       // no SR received
        Assert.False(Ntp.TryComputeRtt(0xB7052000, 0xB7052000, 0x00010000, out _)); // negative
        Assert.True(Ntp.TryComputeRtt(0x00000100, 0xFFFFFF00, 0, out uint rtt));  // across the 16-bit seconds wrap
        Assert.Equal(0x200u, rtt);
        Assert.True(Ntp.TryComputeRtt(0x10000, 0x10000, 0, out rtt));
        Assert.Equal(0u, rtt);
    }

    [Fact]
    public void NtpTime_ConversionsAndCompact()
    {
        var ntp = NtpTime.FromMicroseconds(3_900_000_000L * 1_000_000 + 500_000);
        Assert.Equal(3_900_000_000u, ntp.Seconds);
        Assert.Equal(0x80000000u, ntp.Fraction);
        Assert.Equal(((ulong)3_900_000_000 << 32) | 0x80000000, ntp.Value);
        Assert.Equal(NtpTime.FromValue(ntp.Value), ntp);
        Assert.Equal((3_900_000_000u << 16) | 0x8000u, ntp.Compact);
        Assert.Equal(3_900_000_000L * 1_000_000 + 500_000, ntp.ToMicroseconds());
        Assert.Equal(3_900_000_000_500L, ntp.ToMilliseconds());

        // Middle 32 bits (RFC 3550 §4): low 16 of seconds, high 16 of fraction.
        Assert.Equal(0x56789ABCu, new NtpTime(0x12345678, 0x9ABCDEF0).Compact);

        // Round trips stay within a microsecond across a range of values.
        var rng = new Random(5905);
        for (int i = 0; i < 10_000; i++)
        {
            long us = rng.NextInt64(0, 1L << 52);
            long back = NtpTime.FromMicroseconds(us).ToMicroseconds();
            Assert.Equal((us / 1_000_000) % (1L << 32), back / 1_000_000 % (1L << 32));
            Assert.InRange(back - us % ((1L << 32) * 1_000_000), 0, 1);
        }
    }

    [Fact]
    public void NtpTime_UnixAndMonotonic()
    {
        // 2024-01-01T00:00:00Z = 1 704 067 200 s Unix = 3 913 056 000 s NTP.
        var ntp = NtpTime.FromUnixMilliseconds(1_704_067_200_250);
        Assert.Equal(3_913_056_000u, ntp.Seconds);
        Assert.Equal(0x40000000u, ntp.Fraction);
        Assert.Equal(1_704_067_200_250, ntp.ToUnixMilliseconds());

        long offset = Ntp.MonotonicToNtpOffsetUs(1_704_067_200_000_000, 5_000_000);
        Assert.Equal(NtpTime.FromUnixMilliseconds(1_704_067_201_000), Ntp.FromMonotonicMs(6_000, offset));
        Assert.Equal(NtpTime.FromUnixMilliseconds(1_704_067_201_000), Ntp.FromMonotonicUs(6_000_000, offset));

        // Before the NTP epoch: floor, so the fraction stays positive.
        NtpTime neg = NtpTime.FromMicroseconds(-250_000);
        Assert.Equal(uint.MaxValue, neg.Seconds);
        Assert.Equal(0xC0000000u, neg.Fraction);
    }

    [Fact]
    public void CompactDelays()
    {
        Assert.Equal(0x00054000u, Ntp.DelayMsToCompact(5250));
        Assert.Equal(0x00010000u, Ntp.DelayToCompact(1_000_000));
        Assert.Equal(0u, Ntp.DelayToCompact(-5));
        Assert.Equal(65u, Ntp.DelayToCompact(1_000));        // 1 ms = 65.536 units, truncated
        Assert.Equal(1_000_000, Ntp.CompactToMicroseconds(0x00010000));
        Assert.Equal(15, Ntp.CompactToMicroseconds(1));       // 15.26 µs
    }
}
