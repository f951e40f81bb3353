using Mediasoup.Rtcp;
using Xunit;
using static Mediasoup.Tests.Rtcp.RtcpTestUtil;

namespace Mediasoup.Tests.Rtcp;

public sealed class RembTests
{
    [Fact]
    public void Remb_WritesDraftLayout()
    {
        var buf = new byte[64];
        int n = Remb.Write(buf, 0x11223344, 1_000_000, [0xAABBCCDD, 0x01020304]);
        // 1 000 000 = 0x3D090 << 2: exponent 2, mantissa 0x3D090 (draft-alvestrand-rmcat-remb §2.2).
        Assert.Equal(Hex("""
            8f ce 00 06  11 22 33 44  00 00 00 00
            52 45 4d 42  02 0b d0 90  aa bb cc dd  01 02 03 04
            """), buf[..n]);
        Assert.True(Remb.TryRead(Single(buf.AsSpan(0, n)), out Remb remb));
        Assert.Equal(1_000_000ul, remb.Bitrate);
        Assert.Equal(2, remb.SsrcCount);
        Assert.Equal(0x01020304u, remb.GetSsrc(1));
    }

    [Theory]
    [InlineData(0ul, 0, 0)]
    [InlineData(1ul, 0, 1)]
    [InlineData(0x3FFFFul, 0, 0x3FFFF)]
    [InlineData(0x40000ul, 1, 0x20000)]
    [InlineData(0x40001ul, 1, 0x20000)]               // low bit truncated
    [InlineData(0x7FFFFul, 1, 0x3FFFF)]
    [InlineData((ulong)long.MaxValue, 45, 0x3FFFF)]
    [InlineData(ulong.MaxValue, 46, 0x3FFFF)]
    public void Remb_EncodeExponentMantissa(ulong bitrate, int exponent, int mantissa)
    {
        Assert.Equal((exponent, mantissa), Remb.Encode(bitrate));
        Assert.True(((ulong)mantissa << exponent) <= bitrate);
    }

    [Theory]
    [InlineData(0, 0, 0ul, true)]
    [InlineData(63, 0, 0ul, true)]                                   // zero mantissa, any exponent
    [InlineData(0, 0x3FFFF, 0x3FFFFul, true)]
    [InlineData(45, 0x3FFFF, 0x3FFFFul << 45, true)]                 // largest below 2^63
    [InlineData(45, 0x20000, 1ul << 62, true)]
    [InlineData(46, 0x20000, 0ul, false)]                            // exactly 2^63: over int64
    [InlineData(46, 0x3FFFF, 0ul, false)]
    [InlineData(63, 1, 0ul, false)]
    [InlineData(63, 2, 0ul, false)]                                  // bits shifted out
    public void Remb_ParseEdgeBitrates(int exponent, int mantissa, ulong expected, bool valid)
    {
        byte[] data = Hex("8f ce 00 04  00 00 00 01  00 00 00 00  52 45 4d 42  00 00 00 00");
        data[17] = (byte)((exponent << 2) | (mantissa >> 16));
        data[18] = (byte)(mantissa >> 8);
        data[19] = (byte)mantissa;
        Assert.Equal(valid, Remb.TryRead(Single(data), out Remb remb));
        if (valid)
            Assert.Equal(expected, remb.Bitrate);
    }

    [Fact]
    public void Remb_RejectsWrongIdentifierAndShortSsrcList()
    {
        Assert.False(Remb.TryRead(Single(Hex("8f ce 00 04  00 00 00 01  00 00 00 00  52 45 4d 43  00 00 00 01")), out _));
        Assert.False(Remb.TryRead(Single(Hex("8f ce 00 04  00 00 00 01  00 00 00 00  52 45 4d 42  01 00 00 01")), out _));
        Assert.False(Remb.TryRead(Single(Hex("8f ce 00 03  00 00 00 01  00 00 00 00  52 45 4d 42")), out _));
        // Generic AFB: a feedback packet, not a REMB.
        RtcpPacket afb = Single(Hex("8f ce 00 03  00 00 00 01  00 00 00 00  41 42 43 44"));
        Assert.True(FeedbackPacket.TryRead(afb, out FeedbackPacket fb));
        Assert.Equal(PsFeedbackFmt.Afb, fb.Fmt);
        Assert.False(Remb.TryRead(afb, out _));
    }
}
