using Mediasoup.Rtcp;
using Xunit;
using static Mediasoup.Tests.Rtcp.RtcpTestUtil;

namespace Mediasoup.Tests.Rtcp;

public sealed class FirTests
{
    [Fact]
    public void Fir_WritesRfc5104Layout()
    {
        var buf = new byte[64];
        int n = Fir.Write(buf, 0x11223344, 0xAABBCCDD, 7);
        // Media SSRC 0; FCI: SSRC, seq nr, 3 reserved bytes (RFC 5104 §4.3.1.1).
        Assert.Equal(Hex("84 ce 00 04  11 22 33 44  00 00 00 00  aa bb cc dd  07 00 00 00"), buf[..n]);

        n = Fir.Write(buf, 1, [new FirEntry(2, 3), new FirEntry(4, 255)]);
        Assert.True(Fir.TryRead(Single(buf.AsSpan(0, n)), out Fir fir));
        Assert.Equal(2, fir.EntryCount);
        Assert.Equal(new FirEntry(2, 3), fir.GetEntry(0));
        Assert.Equal(new FirEntry(4, 255), fir.GetEntry(1));
        Assert.False(Fir.TryRead(Single(Hex("84 ce 00 02  11 22 33 44  00 00 00 00")), out _));
        Assert.Equal(0, Fir.Write(buf, 1, []));
    }
}
