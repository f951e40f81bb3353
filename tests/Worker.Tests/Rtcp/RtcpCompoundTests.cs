using Mediasoup.Rtcp;
using Xunit;
using static Mediasoup.Tests.Rtcp.RtcpTestUtil;

namespace Mediasoup.Tests.Rtcp;

public sealed class RtcpCompoundTests
{
    // RR with no blocks (8 bytes) followed by PLI (12 bytes).
    private static readonly byte[] RrThenPli = Hex("80 c9 00 01 11 22 33 44 | 81 ce 00 02 11 22 33 44 55 66 77 88");

    [Theory]
    [InlineData("80 c8 00 06", true)]   // SR
    [InlineData("81 cd 00 02", true)]   // RTPFB
    [InlineData("bf c0 00 00", true)]   // first byte 191, PT 192: both range ends
    [InlineData("bf df 00 00", true)]   // PT 223
    [InlineData("80 e0 00 00", false)]  // PT 224 is RTP PT 96 with marker
    [InlineData("80 bf 00 00", false)]  // PT 191 is RTP PT 63 with marker
    [InlineData("80 60 00 00", false)]  // RTP PT 96
    [InlineData("c0 c8 00 06", false)]  // first byte 192: beyond the RTP/RTCP range (RFC 7983)
    [InlineData("7f c8 00 06", false)]  // first byte 127: DTLS/TURN range
    [InlineData("16 fe fd 00", false)]  // DTLS record
    [InlineData("00 01 00 00", false)]  // STUN binding request
    [InlineData("80 c8 00", false)]     // shorter than a header
    [InlineData("", false)]
    public void IsRtcp_FollowsRfc7983AndRfc5761Ranges(string hex, bool expected)
        => Assert.Equal(expected, RtcpHeader.IsRtcp(Hex(hex)));

    [Fact]
    public void Reader_YieldsEachPacketWithHeaderFields()
    {
        var reader = new RtcpCompoundReader(RrThenPli);
        Assert.Equal(RtcpError.None, reader.Error);
        Assert.Equal(2, reader.PacketCount);

        Assert.True(reader.MoveNext());
        RtcpPacket rr = reader.Current;
        Assert.Equal(RtcpPacketType.RR, rr.Type);
        Assert.Equal(0, rr.Count);
        Assert.Equal(8, rr.Length);
        Assert.Equal(Hex("11 22 33 44"), rr.Body.ToArray());

        Assert.True(reader.MoveNext());
        RtcpPacket pli = reader.Current;
        Assert.Equal(RtcpPacketType.PSFB, pli.Type);
        Assert.Equal(PsFeedbackFmt.Pli, pli.Count);
        Assert.Equal(12, pli.Length);

        Assert.False(reader.MoveNext());
        Assert.False(reader.MoveNext());
    }

    [Fact]
    public void Reader_SupportsForeach()
    {
        int n = 0;
        foreach (RtcpPacket p in new RtcpCompoundReader(RrThenPli))
            n += p.Length;
        Assert.Equal(RrThenPli.Length, n);
    }

    [Theory]
    [InlineData("", RtcpError.Truncated)]
    [InlineData("80 c9 00", RtcpError.Truncated)]
    [InlineData("80 c9 00 01 11 22 33 44 80", RtcpError.Truncated)]            // stray byte after a packet
    [InlineData("40 c9 00 01 11 22 33 44", RtcpError.BadVersion)]
    [InlineData("80 c9 00 01 11 22 33 44 c0 c9 00 00", RtcpError.BadVersion)]    // version 3 in the second packet
    [InlineData("80 c9 00 02 11 22 33 44", RtcpError.LengthOverflow)]
    [InlineData("80 c9 ff ff 11 22 33 44", RtcpError.LengthOverflow)]
    [InlineData("80 c9 00 01 11 22 33 44 80 c9 00 01 11", RtcpError.LengthOverflow)]
    [InlineData("80 c9 00 01 11 22 33 44 80 64 00 00", RtcpError.BadPacketType)]  // RTP-looking PT mid compound
    [InlineData("a0 c9 00 01 11 22 33 00", RtcpError.BadPadding)]                 // pad count 0
    [InlineData("a0 c9 00 01 11 22 33 05", RtcpError.BadPadding)]                 // pad count beyond the body
    public void Validate_RejectsBadFraming(string hex, RtcpError expected)
    {
        byte[] data = Hex(hex);
        Assert.Equal(expected, RtcpCompound.Validate(data, out _));
        var reader = new RtcpCompoundReader(data);
        Assert.Equal(expected, reader.Error);
        Assert.Equal(0, reader.PacketCount);
        Assert.False(reader.MoveNext());
    }

    [Fact]
    public void Validate_RejectsWholeCompoundEvenWhenPrefixIsGood()
    {
        // A good RR, then a packet whose length overflows: nothing is yielded.
        byte[] data = [.. RrThenPli, .. Hex("81 cd 00 09 00 00 00 01")];
        var reader = new RtcpCompoundReader(data);
        Assert.Equal(RtcpError.LengthOverflow, reader.Error);
        Assert.False(reader.MoveNext());
    }

    [Fact]
    public void Padding_OnLastPacketIsStrippedFromBody()
    {
        // RR with one padding word: pad count 4 includes itself (RFC 3550 §6.4.1).
        byte[] data = Hex("80 c9 00 01 11 22 33 44 | a1 cb 00 02 55 66 77 88 00 00 00 04");
        var reader = new RtcpCompoundReader(data);
        Assert.Equal(RtcpError.None, reader.Error);
        Assert.True(reader.MoveNext());
        Assert.True(reader.MoveNext());
        RtcpPacket bye = reader.Current;
        Assert.True(bye.HasPadding);
        Assert.Equal(12, bye.Length);
        Assert.Equal(4, bye.Body.Length);
        Assert.True(Bye.TryRead(bye, out Bye b));
        Assert.Equal(1, b.SsrcCount);
        Assert.Equal(0x55667788u, b.GetSsrc(0));
        Assert.True(b.Reason.IsEmpty);
    }

    [Fact]
    public void Padding_OnMiddlePacketIsAccepted()
    {
        // libwebrtc pads transport-cc feedback with the P bit even when more packets follow:
        // here one small-delta status (11 FCI bytes) plus a pad count of 1, then a PLI.
        byte[] data = Hex("""
            af cd 00 05  00 00 00 01  00 00 00 02  00 0d 00 01  00 8a b0 00  20 01 e4 01
            81 ce 00 02  11 22 33 44  55 66 77 88
            """);
        var reader = new RtcpCompoundReader(data);
        Assert.Equal(RtcpError.None, reader.Error);
        Assert.True(reader.MoveNext());
        Assert.True(reader.Current.HasPadding);
        Assert.True(TransportCcFeedback.TryRead(reader.Current, out TransportCcFeedback fb));
        foreach (TransportCcPacketStatus s in fb)
            Assert.Equal(new TransportCcPacketStatus(13, true, 228), s);
        Assert.True(reader.MoveNext());
        Assert.True(Pli.TryRead(reader.Current, out _));
    }

    [Fact]
    public void ReducedSize_FeedbackAloneIsAccepted()
    {
        // RFC 5506: a compound need not start with SR/RR.
        byte[] pli = Hex("81 ce 00 02 11 22 33 44 55 66 77 88");
        Assert.Equal(RtcpError.None, RtcpCompound.Validate(pli, out int count));
        Assert.Equal(1, count);
    }

    [Fact]
    public void UnknownTypeInRange_IsYieldedAndRejectedByEveryTypedReader()
    {
        // PT 195 (IJ, RFC 5450) is framed like any other packet.
        byte[] data = Hex("80 c9 00 01 11 22 33 44 | 81 c3 00 01 00 00 00 05");
        ParseEverything(data, out RtcpError error, out int rejected);
        Assert.Equal(RtcpError.None, error);
        Assert.Equal(1, rejected);
    }

    [Fact]
    public void TryCreate_AcceptsExactlyOnePacket()
    {
        Assert.True(RtcpPacket.TryCreate(RrThenPli.AsSpan(0, 8), out _));
        Assert.False(RtcpPacket.TryCreate(RrThenPli, out _));
        Assert.False(RtcpPacket.TryCreate(RrThenPli.AsSpan(0, 7), out _));
    }
}
