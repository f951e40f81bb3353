using Mediasoup.Rtcp;
using Xunit;
using static Mediasoup.Tests.Rtcp.RtcpTestUtil;

namespace Mediasoup.Tests.Rtcp;

public sealed class ExtendedReportTests
{
    [Fact]
    public void Rrtr_WritesRfc3611Layout()
    {
        var buf = new byte[32];
        int n = ExtendedReport.WriteRrtr(buf, 0x11223344, new NtpTime(0xE1234567, 0x89ABCDEF));
        // XR header, SSRC, then BT=4, reserved, block length 2, NTP (RFC 3611 §4.4).
        Assert.Equal(Hex("80 cf 00 04  11 22 33 44  04 00 00 02  e1 23 45 67  89 ab cd ef"), buf[..n]);
        Assert.Equal(0, ExtendedReport.WriteRrtr(new byte[19], 1, default));
    }

    [Fact]
    public void Dlrr_WritesRfc3611Layout()
    {
        var buf = new byte[64];
        int n = ExtendedReport.WriteDlrr(buf, 0x11223344, [new DlrrSubBlock(0xAABBCCDD, 0x45671234, 0x00018000), new DlrrSubBlock(1, 2, 3)]);
        // BT=5, reserved, block length 6 words, then SSRC/LRR/DLRR per sub-block (RFC 3611 §4.5).
        Assert.Equal(Hex("""
            80 cf 00 08  11 22 33 44  05 00 00 06
            aa bb cc dd  45 67 12 34  00 01 80 00
            00 00 00 01  00 00 00 02  00 00 00 03
            """), buf[..n]);
        Assert.Equal(0, ExtendedReport.WriteDlrr(buf, 1, []));
    }

    [Fact]
    public void Parse_SkipsUnknownBlocksAndReadsKnownOnes()
    {
        byte[] data = Hex("""
            80 cf 00 0a  11 22 33 44
            07 ff 00 01  de ad be ef
            04 00 00 02  e1 23 45 67  89 ab cd ef
            05 00 00 03  aa bb cc dd  45 67 12 34  00 01 80 00
            """);
        Assert.True(ExtendedReport.TryRead(Single(data), out ExtendedReport xr));
        Assert.Equal(0x11223344u, xr.Ssrc);
        int blocks = 0, rrtr = 0, dlrr = 0;
        foreach (XrBlock block in xr)
        {
            blocks++;
            if (block.TryGetRrtr(out NtpTime ntp))
            {
                rrtr++;
                Assert.Equal(new NtpTime(0xE1234567, 0x89ABCDEF), ntp);
            }
            for (int i = 0; i < block.DlrrCount; i++)
            {
                dlrr++;
                Assert.Equal(new DlrrSubBlock(0xAABBCCDD, 0x45671234, 0x00018000), block.GetDlrr(i));
            }
            if (block.BlockType == 7)
            {
                Assert.Equal(0xFF, block.TypeSpecific);
                Assert.Equal(Hex("de ad be ef"), block.Content.ToArray());
            }
        }
        Assert.Equal((3, 1, 1), (blocks, rrtr, dlrr));
    }

    [Fact]
    public void Parse_StopsAtBlockOverrunningThePacket()
    {
        byte[] data = Hex("""
            80 cf 00 06  11 22 33 44
            04 00 00 02  e1 23 45 67  89 ab cd ef
            05 00 00 09  aa bb cc dd
            """);
        Assert.True(ExtendedReport.TryRead(Single(data), out ExtendedReport xr));
        XrBlockEnumerator it = xr.GetEnumerator();
        Assert.True(it.MoveNext());
        Assert.Equal(XrBlockType.ReceiverReferenceTime, it.Current.BlockType);
        Assert.False(it.MoveNext());
        Assert.True(it.Truncated);
    }

    [Fact]
    public void Parse_ShortRrtrAndEmptyXr()
    {
        Assert.True(ExtendedReport.TryRead(Single(Hex("80 cf 00 02  11 22 33 44  04 00 00 00")), out ExtendedReport xr));
        foreach (XrBlock block in xr)
            Assert.False(block.TryGetRrtr(out _));
        Assert.True(ExtendedReport.TryRead(Single(Hex("80 cf 00 01  11 22 33 44")), out xr));
        foreach (XrBlock block in xr)
            Assert.Fail("no blocks expected");
        Assert.False(ExtendedReport.TryRead(Single(Hex("80 cf 00 00")), out _));
    }
}
