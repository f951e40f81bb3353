using System.Text;
using Mediasoup.Rtcp;
using Xunit;
using static Mediasoup.Tests.Rtcp.RtcpTestUtil;

namespace Mediasoup.Tests.Rtcp;

public sealed class AppTests
{
    [Fact]
    public void App_WritesAndParses()
    {
        var buf = new byte[32];
        int n = App.Write(buf, 3, 0x01020304, "TEST"u8, Hex("de ad be ef"));
        Assert.Equal(Hex("83 cc 00 03  01 02 03 04  54 45 53 54  de ad be ef"), buf[..n]);
        Assert.True(App.TryRead(Single(buf.AsSpan(0, n)), out App app));
        Assert.Equal(3, app.Subtype);
        Assert.Equal(0x01020304u, app.Ssrc);
        Assert.Equal("TEST"u8.ToArray(), app.Name.ToArray());
        Assert.Equal(Hex("de ad be ef"), app.Data.ToArray());

        Assert.Equal(0, App.Write(buf, 3, 1, "TES"u8, default));
        Assert.Equal(0, App.Write(buf, 3, 1, "TEST"u8, Hex("01 02")));
        Assert.Equal(0, App.Write(buf, 32, 1, "TEST"u8, default));
        Assert.False(App.TryRead(Single(Hex("80 cc 00 01 00 00 00 01")), out _));
    }
}
