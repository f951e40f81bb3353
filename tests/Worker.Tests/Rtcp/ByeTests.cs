using System.Text;
using Mediasoup.Rtcp;
using Xunit;
using static Mediasoup.Tests.Rtcp.RtcpTestUtil;

namespace Mediasoup.Tests.Rtcp;

public sealed class ByeTests
{
    [Fact]
    public void Bye_WritesAndParsesSsrcsAndReason()
    {
        var buf = new byte[64];
        int n = Bye.Write(buf, [0x11223344, 0x55667788], "bye"u8);
        Assert.Equal(Hex("82 cb 00 03  11 22 33 44  55 66 77 88  03 62 79 65"), buf[..n]);
        Assert.True(Bye.TryRead(Single(buf.AsSpan(0, n)), out Bye bye));
        Assert.Equal(2, bye.SsrcCount);
        Assert.Equal(0x55667788u, bye.GetSsrc(1));
        Assert.Equal("bye"u8.ToArray(), bye.Reason.ToArray());

        n = Bye.Write(buf, [1], "four"u8);
        Assert.Equal(Hex("81 cb 00 03  00 00 00 01  04 66 6f 75  72 00 00 00"), buf[..n]);

        n = Bye.Write(buf, [1]);
        Assert.Equal(Hex("81 cb 00 01  00 00 00 01"), buf[..n]);
        Assert.True(Bye.TryRead(Single(buf.AsSpan(0, n)), out bye));
        Assert.True(bye.Reason.IsEmpty);
    }

    [Fact]
    public void Bye_ToleratesBadReasonButNotMissingSsrcs()
    {
        Assert.True(Bye.TryRead(Single(Hex("81 cb 00 02  00 00 00 01  09 61 62 63")), out Bye bye));
        Assert.Equal(1, bye.SsrcCount);
        Assert.True(bye.Reason.IsEmpty);
        Assert.False(Bye.TryRead(Single(Hex("83 cb 00 02  00 00 00 01  00 00 00 02")), out _));
    }
}
