using Mediasoup.Rtcp;
using Xunit;
using static Mediasoup.Tests.Rtcp.RtcpTestUtil;

namespace Mediasoup.Tests.Rtcp;

public sealed class SenderReportTests
{
    private static readonly SenderInfo Info = new(0xE1234567, 0x80000000, 0x01020304, 1000, 123456);

    private static readonly ReportBlock Block1 = new(0xAABBCCDD, 25, -3, 0x0001FFFF, 77, 0xB7052000, 0x00054000);

    // RFC 3550 §6.4.1 figure: header, SSRC, NTP (2 words), RTP ts, packet count, octet count, blocks.
    private const string SrHex = """
        81 c8 00 0c  11 22 33 44
        e1 23 45 67  80 00 00 00  01 02 03 04  00 00 03 e8  00 01 e2 40
        aa bb cc dd  19 ff ff fd  00 01 ff ff  00 00 00 4d  b7 05 20 00  00 05 40 00
        """;

    [Fact]
    public void SenderReport_WritesRfcLayout()
    {
        var buf = new byte[100];
        int n = SenderReport.Write(buf, 0x11223344, Info, [Block1]);
        Assert.Equal(52, n);
        Assert.Equal(Hex(SrHex), buf[..n]);
    }

    [Fact]
    public void SenderReport_Parses()
    {
        Assert.True(SenderReport.TryRead(Single(Hex(SrHex)), out SenderReport sr));
        Assert.Equal(0x11223344u, sr.Ssrc);
        Assert.Equal(Info, sr.Info);
        Assert.Equal(new NtpTime(0xE1234567, 0x80000000), sr.Info.Ntp);
        Assert.Equal(1, sr.ReportCount);
        Assert.Equal(Block1, sr.GetReportBlock(0));
    }

    [Fact]
    public void SenderReport_WithoutBlocks()
    {
        var buf = new byte[28];
        Assert.Equal(28, SenderReport.Write(buf, 1, Info, []));
        Assert.Equal(Hex("80 c8 00 06"), buf[..4]);
        Assert.True(SenderReport.TryRead(Single(buf), out SenderReport sr));
        Assert.Equal(0, sr.ReportCount);
    }

    [Fact]
    public void SenderReport_ProfileExtensionAfterBlocksIsIgnored()
    {
        byte[] data = Hex(SrHex + "de ad be ef");
        data[3]++; // length + 1 word
        Assert.True(SenderReport.TryRead(Single(data), out SenderReport sr));
        Assert.Equal(Block1, sr.GetReportBlock(0));
    }

    [Fact]
    public void SenderReport_RejectsCountBeyondLengthAndShortBody()
    {
        byte[] data = Hex(SrHex);
        data[0] = 0x82; // RC 2, only one block present
        Assert.False(SenderReport.TryRead(Single(data), out _));
        Assert.False(SenderReport.TryRead(Single(Hex("80 c8 00 05 11 22 33 44 e1 23 45 67 80 00 00 00 01 02 03 04 00 00 03 e8")), out _));
    }

    [Fact]
    public void Write_ReturnsZeroWhenItDoesNotFit()
    {
        Assert.Equal(0, SenderReport.Write(new byte[51], 1, Info, [Block1]));
        Assert.Equal(0, ReceiverReport.Write(new byte[31], 1, [Block1]));
        Assert.Equal(0, ReceiverReport.Write(new byte[2000], 1, new ReportBlock[32]));
        Assert.Equal(ReceiverReport.GetSize(31), ReceiverReport.Write(new byte[2000], 1, new ReportBlock[31]));
    }

    [Fact]
    public void TypedReaders_RejectOtherTypes()
    {
        RtcpPacket sr = Single(Hex(SrHex));
        Assert.False(ReceiverReport.TryRead(sr, out _));
        Assert.False(Sdes.TryRead(sr, out _));
        Assert.False(Bye.TryRead(sr, out _));
        Assert.False(FeedbackPacket.TryRead(sr, out _));
        Assert.False(ExtendedReport.TryRead(sr, out _));
    }
}
