using Mediasoup.Rtcp;
using Xunit;
using static Mediasoup.Tests.Rtcp.RtcpTestUtil;

namespace Mediasoup.Tests.Rtcp;

public sealed class PliTests
{
    [Fact]
    public void Pli_WritesAndParses()
    {
        var buf = new byte[12];
        Assert.Equal(12, Pli.Write(buf, 0x11223344, 0x55667788));
        Assert.Equal(Hex("81 ce 00 02  11 22 33 44  55 66 77 88"), buf);
        Assert.True(Pli.TryRead(Single(buf), out Pli pli));
        Assert.Equal(0x11223344u, pli.SenderSsrc);
        Assert.Equal(0x55667788u, pli.MediaSsrc);
        Assert.Equal(0, Pli.Write(new byte[11], 1, 2));
        Assert.False(Fir.TryRead(Single(buf), out _));
        Assert.False(GenericNack.TryRead(Single(buf), out _));  // same FMT, other PT
    }
}
