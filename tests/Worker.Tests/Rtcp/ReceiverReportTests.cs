using Mediasoup.Rtcp;
using Xunit;
using static Mediasoup.Tests.Rtcp.RtcpTestUtil;

namespace Mediasoup.Tests.Rtcp;

public sealed class ReceiverReportTests
{
    private static readonly ReportBlock Block1 = new(0xAABBCCDD, 25, -3, 0x0001FFFF, 77, 0xB7052000, 0x00054000);

    [Fact]
    public void ReceiverReport_WritesRfcLayoutAndRoundTrips()
    {
        var block2 = new ReportBlock(5, 255, ReportBlock.MaxTotalLost, uint.MaxValue, 0, 0, 0);
        var buf = new byte[64];
        int n = ReceiverReport.Write(buf, 0x01020304, [Block1, block2]);
        Assert.Equal(56, n);
        Assert.Equal(Hex("""
            82 c9 00 0d  01 02 03 04
            aa bb cc dd  19 ff ff fd  00 01 ff ff  00 00 00 4d  b7 05 20 00  00 05 40 00
            00 00 00 05  ff 7f ff ff  ff ff ff ff  00 00 00 00  00 00 00 00  00 00 00 00
            """), buf[..n]);
        Assert.True(ReceiverReport.TryRead(Single(buf.AsSpan(0, n)), out ReceiverReport rr));
        Assert.Equal(0x01020304u, rr.Ssrc);
        Assert.Equal(2, rr.ReportCount);
        Assert.Equal(Block1, rr.GetReportBlock(0));
        Assert.Equal(block2, rr.GetReportBlock(1));
    }

    [Fact]
    public void ReceiverReport_EmptyIsValid()
    {
        var buf = new byte[8];
        Assert.Equal(8, ReceiverReport.Write(buf, 7, []));
        Assert.Equal(Hex("80 c9 00 01 00 00 00 07"), buf);
        Assert.True(ReceiverReport.TryRead(Single(buf), out ReceiverReport rr));
        Assert.Equal(0, rr.ReportCount);
    }

    [Theory]
    [InlineData(-1, "ff ff ff")]
    [InlineData(-0x800000, "80 00 00")]
    [InlineData(-0x900000, "80 00 00")]   // clamped
    [InlineData(0x7FFFFF, "7f ff ff")]
    [InlineData(0x1000000, "7f ff ff")]   // clamped
    public void ReportBlock_TotalLostIsSigned24Bits(int lost, string wire)
    {
        var buf = new byte[24];
        new ReportBlock(0, 0, lost, 0, 0, 0, 0).Write(buf);
        Assert.Equal(Hex(wire), buf[5..8]);
        Assert.Equal(Math.Clamp(lost, ReportBlock.MinTotalLost, ReportBlock.MaxTotalLost), ReportBlock.Read(buf).TotalLost);
    }
}
