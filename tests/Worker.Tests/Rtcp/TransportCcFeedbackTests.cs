using Mediasoup.Rtcp;
using Xunit;
using static Mediasoup.Tests.Rtcp.RtcpTestUtil;

namespace Mediasoup.Tests.Rtcp;

public sealed class TransportCcFeedbackTests
{
    // Hand-built from draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1:
    //   base seq 0xFFFE, 29 statuses, reference time -2 (24-bit), fb pkt count 7
    //   chunk 0x2003: run of 3 "small delta"             FFFE FFFF 0000
    //   chunk 0xC909: 2-bit vector NR L S NR NR L S     0001..0007
    //   chunk 0xAC01: 1-bit vector 1011 0000 0000 01     0008..0015
    //   chunk 0x0005: run of 5 "not received"            0016..001A
    //   deltas: 04 00 ff | ff38 | 01 | 7fff | 02 | 03 04 05 06, then 3 bytes of zero padding.
    private const string MixedHex = """
        8f cd 00 0a  00 00 00 01  00 00 00 02
        ff fe 00 1d  ff ff fe 07
        20 03 c9 09  ac 01 00 05
        04 00 ff ff  38 01 7f ff  02 03 04 05  06 00 00 00
        """;

    private static List<TransportCcPacketStatus> Statuses(TransportCcFeedback fb)
    {
        var list = new List<TransportCcPacketStatus>();
        foreach (TransportCcPacketStatus s in fb)
            list.Add(s);
        return list;
    }

    [Fact]
    public void Parse_MixedChunkTypes()
    {
        Assert.True(TransportCcFeedback.TryRead(Single(Hex(MixedHex)), out TransportCcFeedback fb));
        Assert.Equal(1u, fb.SenderSsrc);
        Assert.Equal(2u, fb.MediaSsrc);
        Assert.Equal(0xFFFE, fb.BaseSequence);
        Assert.Equal(29, fb.PacketStatusCount);
        Assert.Equal(-2, fb.ReferenceTime);
        Assert.Equal(-128_000, fb.ReferenceTimeUs);
        Assert.Equal(7, fb.FeedbackPacketCount);
        Assert.Equal(11, fb.ReceivedCount);
        Assert.Equal(18, fb.LostCount);

        var expected = new List<TransportCcPacketStatus>
        {
            new(0xFFFE, true, 4), new(0xFFFF, true, 0), new(0x0000, true, 255),
            new(1, false, 0), new(2, true, -200), new(3, true, 1), new(4, false, 0), new(5, false, 0),
            new(6, true, short.MaxValue), new(7, true, 2),
            new(8, true, 3), new(9, false, 0), new(10, true, 4), new(11, true, 5),
        };
        for (ushort s = 12; s <= 20; s++)
            expected.Add(new(s, false, 0));
        expected.Add(new(21, true, 6));
        for (ushort s = 22; s <= 26; s++)
            expected.Add(new(s, false, 0));
        Assert.Equal(expected, Statuses(fb));
        Assert.Equal(-50_000, new TransportCcPacketStatus(0, true, -200).DeltaUs);
    }

    [Fact]
    public void Parse_ClipsLastChunkToStatusCount()
    {
        byte[] data = Hex(MixedHex);
        data[15] = 27; // 27 statuses: the final run of 5 only contributes 3
        Assert.True(TransportCcFeedback.TryRead(Single(data), out TransportCcFeedback fb));
        List<TransportCcPacketStatus> list = Statuses(fb);
        Assert.Equal(27, list.Count);
        Assert.Equal(24, list[^1].Sequence);
        Assert.Equal(new TransportCcPacketStatus(21, true, 6), list[^4]);
    }

    [Fact]
    public void Parse_RejectsMissingChunksDeltasAndReservedSymbols()
    {
        // Statuses announced but no chunk follows.
        Assert.False(TransportCcFeedback.TryRead(Single(Hex("8f cd 00 04  00 00 00 01  00 00 00 02  00 05 00 03  00 00 00 00")), out _));

        byte[] data = Hex(MixedHex);
        data[3] = 0x08; // cut the packet after the chunks' first delta word
        Assert.False(TransportCcFeedback.TryRead(Single(data.AsSpan(0, 36)), out _));

        data = Hex(MixedHex);
        data[20] = 0x60; // run-length chunk with symbol 3
        Assert.False(TransportCcFeedback.TryRead(Single(data), out _));

        data = Hex(MixedHex);
        data[22] = 0xF0; // two-bit vector whose first symbol is 3
        Assert.False(TransportCcFeedback.TryRead(Single(data), out _));

        // FCI shorter than the fixed fields.
        Assert.False(TransportCcFeedback.TryRead(Single(Hex("8f cd 00 03  00 00 00 01  00 00 00 02  00 01 00 00")), out _));
    }

    [Fact]
    public void Parse_ZeroStatusesAndZeroLengthRuns()
    {
        Assert.True(TransportCcFeedback.TryRead(Single(Hex("8f cd 00 04  00 00 00 01  00 00 00 02  00 05 00 00  00 00 00 00")), out TransportCcFeedback fb));
        Assert.Empty(Statuses(fb));

        // A zero-length run before a run of 2 small deltas.
        Assert.True(TransportCcFeedback.TryRead(Single(Hex("8f cd 00 06  00 00 00 01  00 00 00 02  00 05 00 02  00 00 00 00  20 00 20 02  01 02 00 00")), out fb));
        Assert.Equal([new(5, true, 1), new(6, true, 2)], Statuses(fb));
    }
}
